package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/athos-tray/athos-tray/auth"
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

// acceptFetcher accepts one secret and rejects every other.
type acceptFetcher string

func (f acceptFetcher) FetchToken(_ context.Context, creds auth.Credentials) (auth.Token, error) {
	if creds.ClientSecret != string(f) {
		return auth.Token{}, &auth.StatusError{StatusCode: 401}
	}
	return auth.Token{AccessToken: "eyOK"}, nil
}

func newTestEditor(t *testing.T) (*profileEditor, auth.ProfileSaver, memorySecrets) {
	t.Helper()
	test.NewTempApp(t)
	secrets := memorySecrets{}
	saver := auth.ProfileSaver{
		Store:   auth.ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")},
		Secrets: secrets,
		Fetcher: func(auth.Profile) auth.Fetcher { return acceptFetcher("good") },
	}
	w := test.NewTempWindow(t, nil)
	e := newProfileEditor(w, saver)
	e.background = func(work func()) { work() }
	w.SetContent(e.content())
	return e, saver, secrets
}

// statusWith returns the status line, failing unless it starts with prefix.
func statusWith(t *testing.T, e *profileEditor, prefix string) string {
	t.Helper()
	if text := e.status.Text; !strings.HasPrefix(text, prefix) {
		t.Fatalf("status = %q, want it to start with %q", text, prefix)
	}
	return e.status.Text
}

func TestProfileEditorAddsProfile(t *testing.T) {
	e, saver, secrets := newTestEditor(t)
	if e.selector.Selected != newProfileOption {
		t.Fatalf("selector = %q on an empty profile file, want %q", e.selector.Selected, newProfileOption)
	}

	test.Type(e.name, "prod")
	test.Type(e.clientID, "client")
	test.Type(e.secret, "good")
	test.Tap(e.save)
	statusWith(t, e, "Saved profile")

	config, err := saver.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := config.Find("prod"); !ok || p.ClientID != "client" {
		t.Errorf("saved profile = %+v, want prod with client id client", p)
	}
	if secrets["prod"] != "good" {
		t.Errorf("secret not stored in the keyring")
	}
	if e.selector.Selected != "prod" || e.secret.Text != "" {
		t.Errorf("after saving: selected %q, secret field empty %v; want prod and an empty field",
			e.selector.Selected, e.secret.Text == "")
	}
}

func TestProfileEditorRejectedSecretSavesNothing(t *testing.T) {
	e, saver, secrets := newTestEditor(t)
	test.Type(e.name, "prod")
	test.Type(e.clientID, "client")
	test.Type(e.secret, "typo")
	test.Tap(e.save)

	text := statusWith(t, e, "The server rejected")
	if strings.Contains(text, "typo") {
		t.Errorf("status line contains the secret")
	}
	if len(secrets) != 0 {
		t.Errorf("keyring holds %d secrets after a rejected save, want 0", len(secrets))
	}
	if config, _ := saver.Store.Load(); len(config.Profiles) != 0 {
		t.Errorf("profile file holds %d profiles after a rejected save, want 0", len(config.Profiles))
	}
}

func TestProfileEditorEditsWithoutRetypingSecret(t *testing.T) {
	e, saver, secrets := newTestEditor(t)
	if err := saver.Save(context.Background(), auth.Profile{Name: "a", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	if err := saver.Save(context.Background(), auth.Profile{Name: "b", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	e.reload("b")

	test.Tap(e.legacy)
	test.Tap(e.save)
	statusWith(t, e, "Saved profile")
	config, _ := saver.Store.Load()
	if p, _ := config.Find("b"); !p.Legacy {
		t.Errorf("profile b after ticking legacy and saving = %+v, want legacy", p)
	}
	if secrets["b"] != "good" {
		t.Errorf("stored secret changed by a save with an empty secret field")
	}

	test.Tap(e.use)
	if config, _ := saver.Store.Load(); config.Active != "b" {
		t.Errorf("active profile after Make active = %q, want b", config.Active)
	}
	if !e.use.Disabled() {
		t.Errorf("Make active is enabled for the active profile")
	}
}

func TestProfileEditorRemove(t *testing.T) {
	e, saver, secrets := newTestEditor(t)
	if err := saver.Save(context.Background(), auth.Profile{Name: "gone", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	e.reload("gone")

	e.removeProfile("gone")
	statusWith(t, e, "Removed profile")
	if _, ok := secrets["gone"]; ok {
		t.Errorf("secret still in the keyring after Remove")
	}
	if _, err := saver.Store.Load(); err != nil && !errors.Is(err, auth.ErrProfileNotFound) {
		t.Fatal(err)
	}
	if e.selector.Selected != newProfileOption {
		t.Errorf("selector after removing the last profile = %q, want %q", e.selector.Selected, newProfileOption)
	}
}

func TestProfileEditorFollowsFileChanges(t *testing.T) {
	e, saver, _ := newTestEditor(t)
	if err := saver.Save(context.Background(), auth.Profile{Name: "a", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	e.syncFromFile()
	if len(e.selector.Options) != 2 || e.selector.Selected != newProfileOption {
		t.Fatalf("after another program added a: options %q, selected %q; want a listed and the new-profile form kept",
			e.selector.Options, e.selector.Selected)
	}
	e.selector.SetSelected("a")
	if e.clientID.Text != "client" {
		t.Fatalf("client id field = %q after selecting a, want client", e.clientID.Text)
	}

	// Unsaved edits survive a change made elsewhere.
	test.Type(e.clientID, "edited-")
	edited := e.clientID.Text
	if err := saver.Save(context.Background(), auth.Profile{Name: "b", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	e.syncFromFile()
	if e.clientID.Text != edited {
		t.Errorf("client id field = %q after a file change, want the unsaved edit kept", e.clientID.Text)
	}
	if len(e.selector.Options) != 3 {
		t.Errorf("selector options = %q, want the new profile listed", e.selector.Options)
	}
	statusWith(t, e, "The profile file changed")

	// Without edits, a removed profile gives way to the active one.
	e.reload("a")
	if err := saver.Remove("a"); err != nil {
		t.Fatal(err)
	}
	e.syncFromFile()
	if e.selector.Selected != "b" {
		t.Errorf("selected %q after a was removed elsewhere, want the active profile b", e.selector.Selected)
	}
}

func TestProfileEditorAsksBeforeDiscarding(t *testing.T) {
	e, saver, _ := newTestEditor(t)
	for _, name := range []string{"a", "b"} {
		if err := saver.Save(context.Background(), auth.Profile{Name: name, ClientID: "client"}, "good", false); err != nil {
			t.Fatal(err)
		}
	}
	e.reload("a")
	test.Type(e.clientID, "edited-")
	edited := e.clientID.Text

	e.selector.SetSelected("b")
	if e.clientID.Text != edited || e.current != "a" {
		t.Errorf("form switched to %q with client id %q before the discard was confirmed", e.current, e.clientID.Text)
	}
}

func TestProfileEditorReportsRemovalUnderEdit(t *testing.T) {
	e, saver, _ := newTestEditor(t)
	if err := saver.Save(context.Background(), auth.Profile{Name: "a", ClientID: "client"}, "good", false); err != nil {
		t.Fatal(err)
	}
	e.reload("a")
	test.Type(e.secret, "new")

	if err := saver.Remove("a"); err != nil {
		t.Fatal(err)
	}
	e.syncFromFile()
	statusWith(t, e, `Another program removed profile "a"`)
	if !e.remove.Disabled() || !e.use.Disabled() {
		t.Errorf("Remove and Make active enabled for a profile that no longer exists")
	}
	if e.secret.Text != "new" {
		t.Errorf("typed secret lost after the profile was removed elsewhere")
	}
}
