//go:build e2e

package e2e

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// activeProfile reads the profile file's active name and legacy flags.
func activeProfile(t *testing.T, f *fixture) (string, map[string]bool) {
	t.Helper()
	var config struct {
		Active   string
		Profiles []struct {
			Name   string
			Legacy bool
		}
	}
	data, err := os.ReadFile(filepath.Join(f.configDir, "profiles.json"))
	if err != nil {
		t.Fatalf("read profile file: %v", err)
	}
	if err := json.Unmarshal(data, &config); err != nil {
		t.Fatalf("decode profile file: %v", err)
	}
	legacy := map[string]bool{}
	for _, p := range config.Profiles {
		legacy[p.Name] = p.Legacy
	}
	return config.Active, legacy
}

func TestTraySwitchesProfileFromSubmenu(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	f.addProfile("first")

	// The second profile's server hands out 6-hour tokens, so the
	// countdown shows which profile the tray uses.
	otherURL := startSecondEmulator(t, 6*time.Hour)
	f.run(secret+"\n", "profile", "add", "second", "--client-id", clientID, "--api-url", otherURL)

	item, _ := f.startTray(s)
	item.waitForStatus(startTimeout, equals("Expires in 11h 59m"), "countdown of the first profile")
	profileMenu := item.entry("Profile: first")
	if len(profileMenu.Children) != 2 {
		t.Fatalf("profile submenu has %d entries, want 2", len(profileMenu.Children))
	}
	if first, _ := profileMenu.find(equals("first")); !first.Toggled {
		t.Errorf("active profile is not checked in the submenu")
	}

	item.click("second")
	item.waitForStatus(10*time.Second, equals("Expires in 5h 59m"), "countdown of the second profile")
	if got := item.layout().labels()[0]; got != "Profile: second" {
		t.Errorf("profile line after the switch = %q, want %q", got, "Profile: second")
	}
	if active, _ := activeProfile(t, f); active != "second" {
		t.Errorf("active profile in the file = %q, want second", active)
	}
	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatusAt(otherURL, bearer); code != http.StatusOK {
		t.Errorf("second profile's server answered %d to the copied header, want 200", code)
	}

	// Two quick clicks must end with legacy mode off, in the menu and in
	// the file.
	item.click("Legacy Basic auth")
	item.click("Legacy Basic auth")
	item.waitForStatus(5*time.Second, hasPrefix("Expires in "), "countdown after two legacy clicks")
	waitFor(t, 5*time.Second, "legacy flag saved", func() (bool, string) {
		_, legacy := activeProfile(t, f)
		return !legacy["second"], "legacy still on in the file"
	})
	if e := item.entry("Legacy Basic auth"); e.Toggled {
		t.Errorf("legacy item checked after two clicks, want unchecked")
	}
}
