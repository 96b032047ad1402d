package ui

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/auth/emulator"
)

// memorySecrets is an auth.SecretStore in memory.
type memorySecrets map[string]string

func (m memorySecrets) Get(profile string) (string, error) {
	s, ok := m[profile]
	if !ok {
		return "", auth.ErrSecretNotFound
	}
	return s, nil
}

func (m memorySecrets) Set(profile, secret string) error { m[profile] = secret; return nil }

func (m memorySecrets) Delete(profile string) error { delete(m, profile); return nil }

// Credentials the test emulator accepts.
const (
	testClientID = "client"
	testSecret   = "secret"
)

// startEmulator serves the emulator on 127.0.0.1 and returns its URL.
func startEmulator(t *testing.T) string {
	t.Helper()
	emu := emulator.New(emulator.Config{ClientID: testClientID, ClientSecret: testSecret})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return url
}

// newTestSaver returns a saver with a profile file in a temporary folder
// and secrets in memory. Saves check credentials against the emulator at
// the profile's URL.
func newTestSaver(t *testing.T) (auth.ProfileSaver, memorySecrets) {
	t.Helper()
	secrets := memorySecrets{}
	return auth.ProfileSaver{
		Store:   auth.ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")},
		Secrets: secrets,
	}, secrets
}

// addStoredProfile saves a profile without a credential check.
func addStoredProfile(t *testing.T, saver auth.ProfileSaver, name, apiURL string) {
	t.Helper()
	p := auth.Profile{Name: name, ClientID: testClientID, APIURL: apiURL}
	if err := saver.Save(context.Background(), p, testSecret, false); err != nil {
		t.Fatal(err)
	}
}

// newTestCredentialsForm returns a form in a headless window whose slow
// work runs at once.
func newTestCredentialsForm(t *testing.T, saver auth.ProfileSaver, name string) *credentialsForm {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	f := newCredentialsForm(w, saver)
	f.background = func(work func()) { work() }
	if err := f.load(name); err != nil {
		t.Fatal(err)
	}
	w.SetContent(f.content())
	return f
}

// wantStatus fails unless the status label contains each part.
func wantStatus(t *testing.T, status *widget.Label, parts ...string) {
	t.Helper()
	for _, part := range parts {
		if !strings.Contains(status.Text, part) {
			t.Errorf("status = %q, want it to contain %q", status.Text, part)
		}
	}
}
