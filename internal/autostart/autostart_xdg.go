//go:build !darwin && !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// desktopPath returns $XDG_CONFIG_HOME/autostart/athos-tray.desktop, with
// ~/.config when XDG_CONFIG_HOME is unset, as the XDG Autostart
// Specification 0.5 says.
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
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("enable start at login: %w", err)
	}
	if err := writeFileAtomic(path, []byte(desktopEntry(entry)), 0o644); err != nil {
		return fmt.Errorf("enable start at login: %w", err)
	}
	return nil
}

func disable() error {
	path, err := desktopPath()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("disable start at login: %w", err)
	}
	return nil
}

func enabled() (bool, error) {
	path, err := desktopPath()
	if err != nil {
		return false, err
	}
	_, err = os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("check start at login: %w", err)
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
