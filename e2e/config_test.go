//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// TestTrayReportsBrokenProfileFile checks that a profile file that does not
// parse is renamed, never replaced, that the status line reports it, and
// that a profile added afterwards starts a new file.
func TestTrayReportsBrokenProfileFile(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)
	writeSettings(t, f, `{"credentialsPrompted": true}`)
	broken := []byte(`{"active": "e2e", "profiles": [`)
	path := filepath.Join(f.configDir, "profiles.json")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}

	item, _ := f.startTray(s)
	item.waitForStatus(startTimeout, equals("Profile file broken, moved aside (see log)"), "status for a broken profile file")
	aside, _ := filepath.Glob(path + ".broken-*")
	if len(aside) != 1 {
		t.Fatalf("found %d files moved aside, want 1", len(aside))
	}
	if got, _ := os.ReadFile(aside[0]); string(got) != string(broken) {
		t.Errorf("the file moved aside holds %q, want the broken file unchanged", got)
	}

	f.addProfile("e2e")
	item.waitForStatus(15*time.Second, hasPrefix("Expires in "), "countdown after a profile was added")
}

// TestTrayKeepsTokenWhenProfileFileBreaks checks that a profile file that
// stops parsing while the tray runs leaves the loaded profile and its token
// in place.
func TestTrayKeepsTokenWhenProfileFileBreaks(t *testing.T) {
	_, f, item, _ := startProfileTray(t, emulator.Config{})

	path := filepath.Join(f.configDir, "profiles.json")
	if err := os.WriteFile(path, []byte(`{"active": "e2e", "profiles": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	item.waitForStatus(15*time.Second, equals("Reload failed: Profile file broken, moved aside (see log)"),
		"report of the broken file")
	item.waitForStatus(15*time.Second, hasPrefix("Expires in "), "countdown after the report")
	f.assertValidHeader(copyBearerHeader(t, item))
	if aside, _ := filepath.Glob(path + ".broken-*"); len(aside) != 1 {
		t.Errorf("found %d files moved aside, want 1", len(aside))
	}
}
