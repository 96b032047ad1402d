package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigStoreMovesBrokenFileAside(t *testing.T) {
	tests := []struct {
		name    string
		content string
	}{
		{"truncated", `{"active":"a","profiles":[{"name":"a"`},
		{"not JSON", "active = a\n"},
		{"array", `[{"name":"a","clientId":"c"}]`},
		{"profiles of the wrong type", `{"profiles":"a"}`},
		{"profile name of the wrong type", `{"profiles":[{"name":7}]}`},
		{"trailing data", `{"profiles":[]} {}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			store := ConfigStore{Path: filepath.Join(dir, "profiles.json")}
			writeFile(t, store.Path, tt.content)

			c, err := store.Load()
			if err != nil {
				t.Fatalf("Load: got error %v, want nil with the file moved aside", err)
			}
			if len(c.Profiles) != 0 || c.Active != "" {
				t.Errorf("Load: got %d profiles, active %q; want none", len(c.Profiles), c.Active)
			}
			aside := c.MovedAside
			if aside == nil {
				t.Fatalf("MovedAside: got nil, want a report")
			}
			if aside.Path != store.Path || filepath.Dir(aside.Aside) != dir ||
				!strings.HasPrefix(filepath.Base(aside.Aside), "profiles.json.broken-") {
				t.Errorf("MovedAside: got %q -> %q, want profiles.json.broken-TIME next to it", aside.Path, aside.Aside)
			}
			if got := readFile(t, aside.Aside); got != tt.content {
				t.Errorf("content moved aside: got %q, want the broken file unchanged", got)
			}
			if _, err := os.Stat(store.Path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("profile file after Load: got %v, want it renamed", err)
			}
			for _, want := range []string{store.Path, aside.Aside, "could not be parsed"} {
				if !strings.Contains(aside.Error(), want) {
					t.Errorf("report: got %q, want it to contain %q", aside.Error(), want)
				}
			}
			if !errors.Is(aside, ErrConfigMovedAside) || !errors.Is(aside, ErrConfigUnreadable) {
				t.Errorf("report: got %v, want it to match ErrConfigMovedAside and ErrConfigUnreadable", aside)
			}
		})
	}
}

func TestConfigStoreReportsAsideUntilSaved(t *testing.T) {
	dir := t.TempDir()
	store := ConfigStore{Path: filepath.Join(dir, "profiles.json")}
	writeFile(t, store.Path, "{")

	first, err := store.Load()
	if err != nil || first.MovedAside == nil {
		t.Fatalf("first Load: got %v, %v; want a report and nil error", first.MovedAside, err)
	}

	// Another process, or the tray after it noticed the rename, loads again.
	second, err := store.Load()
	if err != nil {
		t.Fatalf("second Load: got error %v, want nil", err)
	}
	if second.MovedAside == nil || second.MovedAside.Aside != first.MovedAside.Aside {
		t.Fatalf("second Load report: got %+v, want the same file %q", second.MovedAside, first.MovedAside.Aside)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries after two loads, want only the file moved aside", len(entries))
	}

	updated, err := store.Update(func(c *Config) error {
		c.Put(Profile{Name: "new", ClientID: "c"})
		return nil
	})
	if err != nil {
		t.Fatalf("Update: got error %v, want nil", err)
	}
	if updated.MovedAside == nil {
		t.Errorf("Update result: got no report, want the one Load saw, for the caller to show")
	}
	if strings.Contains(readFile(t, store.Path), "broken") || strings.Contains(readFile(t, store.Path), "Aside") {
		t.Errorf("saved file: got %q, want no trace of the report", readFile(t, store.Path))
	}

	third, err := store.Load()
	if err != nil || len(third.Profiles) != 1 || third.MovedAside != nil {
		t.Errorf("Load after a save: got %d profiles, report %v, error %v; want 1, nil, nil",
			len(third.Profiles), third.MovedAside, err)
	}
	if got := readFile(t, first.MovedAside.Aside); got != "{" {
		t.Errorf("file moved aside after a save: got %q, want it kept", got)
	}
}

func TestConfigStoreAsideNamesDoNotCollide(t *testing.T) {
	dir := t.TempDir()
	store := ConfigStore{Path: filepath.Join(dir, "profiles.json")}

	seen := map[string]bool{}
	for i := range 3 {
		writeFile(t, store.Path, strings.Repeat("{", i+1))
		c, err := store.Load()
		if err != nil || c.MovedAside == nil {
			t.Fatalf("Load %d: got %v, %v; want a report", i+1, c.MovedAside, err)
		}
		if seen[c.MovedAside.Aside] {
			t.Fatalf("Load %d moved the file to %q, which an earlier Load used", i+1, c.MovedAside.Aside)
		}
		seen[c.MovedAside.Aside] = true
	}
	for name := range seen {
		if got := readFile(t, name); !strings.HasPrefix(got, "{") {
			t.Errorf("%s: got %q, want a kept broken file", name, got)
		}
	}
}

func TestConfigStoreKeepsUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	// A folder where the file should be fails to read, not to parse.
	store := ConfigStore{Path: filepath.Join(dir, "profiles.json")}
	if err := os.Mkdir(store.Path, 0o700); err != nil {
		t.Fatal(err)
	}

	c, err := store.Load()
	if !errors.Is(err, ErrConfigUnreadable) {
		t.Fatalf("Load: got error %v, want ErrConfigUnreadable", err)
	}
	if errors.Is(err, ErrConfigMovedAside) || c.MovedAside != nil {
		t.Errorf("Load: got report %v, error %v; want nothing moved aside", c.MovedAside, err)
	}
	if info, statErr := os.Stat(store.Path); statErr != nil || !info.IsDir() {
		t.Errorf("path after Load: got %v, want the folder left in place", statErr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("folder holds %d entries, want only the unreadable path", len(entries))
	}
}

func TestConfigStoreEmptyFileIsNoProfiles(t *testing.T) {
	store := ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")}
	writeFile(t, store.Path, " \n")

	c, err := store.Load()
	if err != nil || len(c.Profiles) != 0 || c.MovedAside != nil {
		t.Errorf("Load of an empty file: got %d profiles, report %v, error %v; want none of them",
			len(c.Profiles), c.MovedAside, err)
	}
	if got := readFile(t, store.Path); got != " \n" {
		t.Errorf("empty file after Load: got %q, want it untouched", got)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return string(data)
}
