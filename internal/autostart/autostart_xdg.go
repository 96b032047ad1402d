//go:build !darwin && !windows

package autostart

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// desktopPath returns $XDG_CONFIG_HOME/autostart/athos-tray.desktop, with
// ~/.config when XDG_CONFIG_HOME is unset or relative, following the XDG
// Base Directory Specification.
func desktopPath() (string, error) {
	base := os.Getenv("XDG_CONFIG_HOME")
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the autostart folder: %w", err)
		}
		base = filepath.Join(home, ".config")
	}
	return filepath.Join(base, "autostart", Name+".desktop"), nil
}

func location() string {
	path, err := desktopPath()
	if err != nil {
		return "the XDG autostart folder"
	}
	return path
}

func enable(entry Entry) error {
	path, err := desktopPath()
	if err != nil {
		return err
	}
	return writeRegistration(path, desktopEntry(entry))
}

func disable() error {
	path, err := desktopPath()
	if err != nil {
		return err
	}
	return removeRegistration(path)
}

func enabled() (bool, error) {
	path, err := desktopPath()
	if err != nil {
		return false, err
	}
	return registrationExists(path)
}

// desktopEntry returns the content of a desktop entry (Desktop Entry
// Specification 1.5) that starts entry.
func desktopEntry(entry Entry) string {
	args := []string{quoteExecArg(entry.Executable)}
	for _, a := range entry.Args {
		args = append(args, quoteExecArg(a))
	}
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Athos Token Tray\n" +
		"Comment=Keeps an Athos API access token ready in the system tray\n" +
		"Exec=" + strings.Join(args, " ") + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// quoteExecArg quotes one argument of an Exec key. Inside double quotes
// the characters '"', '`', '$' and '\' are escaped with a backslash, and
// every backslash is then doubled again because the key's value is itself
// a string with escapes. '%' becomes "%%" so that it is not a field code.
func quoteExecArg(arg string) string {
	arg = strings.ReplaceAll(arg, "%", "%%")
	if arg != "" && !strings.ContainsAny(arg, " \t\n\"'\\><~|&;$*?#()`=") {
		return arg
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range arg {
		if strings.ContainsRune("\"`$\\", r) {
			b.WriteString(`\\`)
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}
