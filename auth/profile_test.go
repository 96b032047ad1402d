package auth

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigPutRemoveActive(t *testing.T) {
	var c Config
	c.Put(Profile{Name: "staging", ClientID: "s"})
	c.Put(Profile{Name: "production", ClientID: "p"})

	if c.Active != "staging" {
		t.Errorf("Active = %q, want the first profile added, %q", c.Active, "staging")
	}
	if got := c.Profiles[0].Name; got != "production" {
		t.Errorf("first profile = %q, want the list sorted by name", got)
	}

	c.Put(Profile{Name: "staging", ClientID: "s2", Legacy: true})
	if p, _ := c.Find("staging"); p.ClientID != "s2" || !p.Legacy {
		t.Errorf("Put of an existing name = %+v, want it replaced", p)
	}
	if len(c.Profiles) != 2 {
		t.Errorf("profiles = %d, want 2", len(c.Profiles))
	}

	if err := c.Remove("staging"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if c.Active != "production" {
		t.Errorf("Active after removing it = %q, want %q", c.Active, "production")
	}
	if err := c.Remove("staging"); !errors.Is(err, ErrProfileNotFound) {
		t.Errorf("second Remove error = %v, want ErrProfileNotFound", err)
	}
}

func TestConfigActiveProfileFallback(t *testing.T) {
	c := Config{Profiles: []Profile{{Name: "only", ClientID: "c"}}}
	if p, ok := c.ActiveProfile(); !ok || p.Name != "only" {
		t.Errorf("ActiveProfile with one unmarked profile = %q, %v; want it", p.Name, ok)
	}
	c.Put(Profile{Name: "two", ClientID: "c"})
	c.Active = ""
	if _, ok := c.ActiveProfile(); ok {
		t.Errorf("ActiveProfile with two unmarked profiles found one, want none")
	}
}

func TestValidateProfileName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"production", true},
		{"Hotel Oslo_2.test-env", true},
		{"", false},
		{"-x", false},
		{" padded", false},
		{"a/b", false},
		{"tab\there", false},
		{strings.Repeat("n", 65), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateProfileName(tt.name)
			if (err == nil) != tt.ok {
				t.Errorf("ValidateProfileName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error %v does not wrap ErrInvalidInput", err)
			}
		})
	}
}

func TestConfigStoreSaveLoad(t *testing.T) {
	store := ConfigStore{Path: filepath.Join(t.TempDir(), "sub", "profiles.json")}

	empty, err := store.Load()
	if err != nil || len(empty.Profiles) != 0 {
		t.Fatalf("Load of a missing file = %+v, %v; want empty, nil", empty, err)
	}

	want := Config{Active: "p", Profiles: []Profile{{Name: "p", ClientID: "client", APIURL: "http://127.0.0.1:9", Legacy: true}}}
	if err := store.Save(want); err != nil {
		t.Fatalf("Save: %v", err)
	}

	info, err := os.Stat(store.Path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("file mode = %o, want 600", mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(store.Path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d entries after Save, want only the profile file", len(entries))
	}

	got, err := store.Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Active != want.Active || len(got.Profiles) != 1 || got.Profiles[0] != want.Profiles[0] {
		t.Errorf("Load = %+v, want %+v", got, want)
	}
}

func TestConfigStoreKeepsInvalidEntries(t *testing.T) {
	store := ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")}
	content := `{"profiles":[{"name":"bad","clientId":"a:b"},{"name":"web","clientId":"c","apiUrl":"http://example.com"},{"name":"good","clientId":"c"}]}`
	if err := os.WriteFile(store.Path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := store.Load()
	if err != nil {
		t.Fatalf("Load with invalid entries: %v, want them kept", err)
	}
	if len(c.Profiles) != 3 {
		t.Fatalf("profiles = %d, want 3", len(c.Profiles))
	}

	tests := []struct{ name, wantInMessage string }{
		{"bad", `"a:b"`},
		{"web", "http://example.com"},
	}
	for _, tt := range tests {
		p, _ := c.Find(tt.name)
		err := store.CheckProfile(p)
		if !errors.Is(err, ErrInvalidProfile) || !errors.Is(err, ErrInvalidInput) {
			t.Errorf("CheckProfile(%s) = %v, want ErrInvalidProfile wrapping ErrInvalidInput", tt.name, err)
			continue
		}
		for _, want := range []string{tt.wantInMessage, `"` + tt.name + `"`, "profile remove " + tt.name} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("CheckProfile(%s) = %q, want it to contain %s", tt.name, err, want)
			}
		}
	}
	good, _ := c.Find("good")
	if err := store.CheckProfile(good); err != nil {
		t.Errorf("CheckProfile(good) = %v, want nil", err)
	}
}

func TestConfigStoreUpdateKeepsFileOnError(t *testing.T) {
	store := ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")}
	if err := store.Save(Config{Active: "keep", Profiles: []Profile{{Name: "keep", ClientID: "c"}}}); err != nil {
		t.Fatal(err)
	}

	_, err := store.Update(func(c *Config) error {
		c.Profiles = nil
		return errors.New("change rejected")
	})
	if err == nil {
		t.Fatal("Update returned no error")
	}

	c, err := store.Load()
	if err != nil || len(c.Profiles) != 1 {
		t.Errorf("profiles after a failed Update = %+v, %v; want the old profile", c.Profiles, err)
	}
}

func TestDefaultConfigStoreHonoursEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(ConfigDirEnv, dir)
	store, err := DefaultConfigStore()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "profiles.json"); store.Path != want {
		t.Errorf("Path = %q, want %q", store.Path, want)
	}
}
