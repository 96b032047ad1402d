//go:build !darwin && !windows

package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnableWritesDesktopEntry(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)

	if on, err := Enabled(); err != nil || on {
		t.Fatalf("Enabled before Enable = %v, %v; want false", on, err)
	}
	entry := Entry{Executable: "/opt/Athos Tray/athos-tray", Args: []string{"tray"}}
	if err := Enable(entry); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(config, "autostart", "athos-tray.desktop")
	if Location() != path {
		t.Errorf("Location = %q, want %q", Location(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"[Desktop Entry]",
		"Type=Application",
		`Exec="/opt/Athos Tray/athos-tray" tray`,
	} {
		if !strings.Contains(string(data), line+"\n") {
			t.Errorf("desktop entry lacks line %q:\n%s", line, data)
		}
	}
	if on, err := Enabled(); err != nil || !on {
		t.Errorf("Enabled after Enable = %v, %v; want true", on, err)
	}

	if err := Disable(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("desktop entry still exists after Disable")
	}
	if err := Disable(); err != nil {
		t.Errorf("second Disable = %v, want nil", err)
	}
}

func TestQuoteExecArg(t *testing.T) {
	for arg, want := range map[string]string{
		"/usr/bin/athos-tray": "/usr/bin/athos-tray",
		"with space":          `"with space"`,
		`a"b`:                 `"a\\"b"`,
		"100%":                "100%%",
		"$HOME":               `"\\$HOME"`,
		"":                    `""`,
	} {
		if got := quoteExecArg(arg); got != want {
			t.Errorf("quoteExecArg(%q) = %s, want %s", arg, got, want)
		}
	}
}

func TestDesktopPathFallsBackToHomeConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "relative/path")
	path, err := desktopPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".config", "autostart", "athos-tray.desktop"); path != want {
		t.Errorf("desktopPath = %q, want %q", path, want)
	}
}
