package settings

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadMissingFileGivesDefaults(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), FileName)}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got != Default() {
		t.Errorf("Load of a missing file = %+v, want %+v", got, Default())
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	s := StoreBeside(filepath.Join(t.TempDir(), "sub", "profiles.json"))
	want := Settings{CopyFormat: CopyToken, ClearClipboardSeconds: 120, StartAtLogin: true, CredentialsPrompted: true}
	if err := s.Save(want); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("Load after Save = %+v, want %+v", got, want)
	}
	if got.ClearAfter() != 2*time.Minute {
		t.Errorf("ClearAfter = %v, want 2m", got.ClearAfter())
	}
	info, err := os.Stat(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode = %v, want 0600", info.Mode().Perm())
	}
}

func TestLoadKeepsDefaultsForMissingFields(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), FileName)}
	if err := os.WriteFile(s.Path, []byte(`{"clearClipboardSeconds": 30}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got.CopyFormat != CopyHeaderLine || !got.Notifications || got.ClearClipboardSeconds != 30 {
		t.Errorf("Load = %+v, want the default format, notifications on and 30 s", got)
	}
}

func TestLoadRejectsInvalidValues(t *testing.T) {
	for name, content := range map[string]string{
		"not JSON":      `{`,
		"unknown copy":  `{"copyFormat": "curl"}`,
		"unknown delay": `{"clearClipboardSeconds": 7}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := Store{Path: filepath.Join(t.TempDir(), FileName)}
			if err := os.WriteFile(s.Path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := s.Load()
			if err == nil {
				t.Fatalf("Load of %s succeeded, want an error", content)
			}
			if !strings.Contains(err.Error(), s.Path) {
				t.Errorf("error %q does not name the file", err)
			}
			if got != Default() {
				t.Errorf("Load of an invalid file = %+v, want the defaults", got)
			}
		})
	}
}

func TestSaveRejectsInvalidSettings(t *testing.T) {
	s := Store{Path: filepath.Join(t.TempDir(), FileName)}
	bad := Default()
	bad.ClearClipboardSeconds = 10
	if err := s.Save(bad); err == nil {
		t.Fatal("Save of a 10 s delay succeeded, want an error")
	}
	if _, err := os.Stat(s.Path); !os.IsNotExist(err) {
		t.Errorf("Save of invalid settings wrote the file")
	}
}

func TestCopyFormatFormat(t *testing.T) {
	for format, want := range map[CopyFormat]string{
		CopyHeaderLine:  "Authorization: Bearer tok",
		CopyHeaderValue: "Bearer tok",
		CopyToken:       "tok",
	} {
		if got := format.Format("tok"); got != want {
			t.Errorf("%s.Format = %q, want %q", format, got, want)
		}
	}
}
