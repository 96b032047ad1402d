package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/athos-tray/athos-tray/auth"
)

// fillForm types into the empty fields of a new-profile form and points
// it at apiURL.
func fillForm(f *credentialsForm, name, clientID, secret, apiURL string) {
	test.Type(f.name, name)
	test.Type(f.clientID, clientID)
	test.Type(f.secret, secret)
	if apiURL != "" {
		test.Type(f.apiURL, apiURL)
	}
}

func TestCredentialsFormDefaultsToProduction(t *testing.T) {
	saver, _ := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	if f.urlChoice.Selected != urlProduction {
		t.Errorf("API URL choice = %q, want %q", f.urlChoice.Selected, urlProduction)
	}
	fillForm(f, "prod", "client", "s", "")
	p, _, _, err := f.read()
	if err != nil {
		t.Fatal(err)
	}
	if p.APIURL != "" || p.BaseURL() != auth.DefaultAPIURL {
		t.Errorf("API URL of the form = %q, want empty for production", p.APIURL)
	}
}

func TestCredentialsFormSavesNewProfile(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	var saved string
	f.onSaved = func(name string) { saved = name }

	fillForm(f, "staging", testClientID, testSecret, url)
	if f.urlChoice.Selected != urlCustom {
		t.Errorf("API URL choice after typing a URL = %q, want %q", f.urlChoice.Selected, urlCustom)
	}
	test.Tap(f.save)

	wantStatus(t, f.status, `Saved profile "staging".`)
	if saved != "staging" {
		t.Errorf("onSaved got %q, want staging", saved)
	}
	config, err := saver.Store.Load()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := config.Find("staging")
	if !ok || p.ClientID != testClientID || p.APIURL != url {
		t.Errorf("saved profile = %+v, want client id %q and URL %q", p, testClientID, url)
	}
	if secrets["staging"] != testSecret {
		t.Errorf("keyring entry of staging does not contain the typed secret")
	}
	if f.secret.Text != "" || f.name.Disabled() == false {
		t.Errorf("after saving, secret field empty %v and name locked %v; want both", f.secret.Text == "", f.name.Disabled())
	}
}

func TestCredentialsFormValidation(t *testing.T) {
	for _, tc := range []struct {
		name                     string
		profile, id, secret, url string
		want                     string
	}{
		{name: "empty name", id: "client", secret: "s", want: "missing profile name"},
		{name: "invalid name", profile: "a/b", id: "client", secret: "s", want: `contains '/'`},
		{name: "empty client id", profile: "p", secret: "s", want: "missing client id"},
		{name: "colon in client id", profile: "p", id: "cli:ent", secret: "s", want: "contains ':'"},
		{name: "empty secret", profile: "p", id: "client", want: "missing client secret"},
		{name: "plain http", profile: "p", id: "client", secret: "s", url: "http://staging.example.com",
			want: "uses plain http, which is allowed only for a loopback address"},
		{name: "not a URL", profile: "p", id: "client", secret: "s", url: "staging", want: "must start with https://"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			saver, secrets := newTestSaver(t)
			f := newTestCredentialsForm(t, saver, "")
			fillForm(f, tc.profile, tc.id, tc.secret, tc.url)
			test.Tap(f.save)

			if !strings.Contains(f.status.Text, tc.want) {
				t.Errorf("status = %q, want it to contain %q", f.status.Text, tc.want)
			}
			if len(secrets) != 0 {
				t.Errorf("keyring has %d entries after a rejected form, want 0", len(secrets))
			}
			if config, _ := saver.Store.Load(); len(config.Profiles) != 0 {
				t.Errorf("profile file has %d profiles after a rejected form, want 0", len(config.Profiles))
			}
		})
	}
}

func TestCredentialsFormCustomURLRequired(t *testing.T) {
	saver, _ := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	fillForm(f, "p", "client", "s", "")
	f.urlChoice.SetSelected(urlCustom)
	test.Tap(f.save)
	wantStatus(t, f.status, "missing custom API URL")
}

func TestCredentialsFormTrimsWhitespace(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	fillForm(f, " staging ", testClientID+" ", testSecret+"\t", " "+url+" ")
	test.Tap(f.save)

	wantStatus(t, f.status, `Saved profile "staging".`,
		"Removed spaces around the profile name, client id, client secret, API URL.")
	config, _ := saver.Store.Load()
	if p, ok := config.Find("staging"); !ok || p.ClientID != testClientID || p.APIURL != url {
		t.Errorf("saved profile = %+v, want trimmed values", p)
	}
	if secrets["staging"] != testSecret {
		t.Errorf("stored secret was not trimmed")
	}
}

func TestCredentialsFormRejectedSecretSavesNothing(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	fillForm(f, "staging", testClientID, "typo", url)
	test.Tap(f.save)

	wantStatus(t, f.status, "The server rejected the client id or secret (401 Unauthorized).", "Nothing was saved.")
	if strings.Contains(f.status.Text, "typo") {
		t.Errorf("status line contains the secret")
	}
	if len(secrets) != 0 {
		t.Errorf("keyring has %d entries after a rejected secret, want 0", len(secrets))
	}
}

func TestCredentialsFormEditKeepsStoredSecret(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "staging", url)
	f := newTestCredentialsForm(t, saver, "staging")

	if f.clientID.Text != testClientID || f.apiURL.Text != url || f.urlChoice.Selected != urlCustom {
		t.Fatalf("form shows client id %q, URL %q, choice %q; want the stored profile",
			f.clientID.Text, f.apiURL.Text, f.urlChoice.Selected)
	}
	if f.secret.Text != "" || f.secret.PlaceHolder != storedSecretHint {
		t.Errorf("secret field: empty %v, placeholder %q; want empty with the stored-secret hint",
			f.secret.Text == "", f.secret.PlaceHolder)
	}
	if !f.name.Disabled() {
		t.Errorf("name field editable while editing a stored profile")
	}

	test.Tap(f.legacy)
	test.Tap(f.save)
	wantStatus(t, f.status, `Saved profile "staging".`)
	config, _ := saver.Store.Load()
	if p, _ := config.Find("staging"); !p.Legacy {
		t.Errorf("profile after ticking legacy and saving = %+v, want legacy", p)
	}
	if secrets["staging"] != testSecret {
		t.Errorf("stored secret changed by a save with an empty secret field")
	}
}

func TestCredentialsFormTestButton(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	fillForm(f, "staging", testClientID, testSecret, url)

	test.Tap(f.test)
	wantStatus(t, f.status, "Test passed", "scope read:corp write:corp", "valid for 12h 0m")
	if len(secrets) != 0 {
		t.Errorf("Test stored a secret")
	}
	if config, _ := saver.Store.Load(); len(config.Profiles) != 0 {
		t.Errorf("Test saved a profile")
	}

	f.secret.SetText("wrong")
	test.Tap(f.test)
	wantStatus(t, f.status, "Test failed: The server rejected the client id or secret (401 Unauthorized).")

	f.apiURL.SetText("http://127.0.0.1:1")
	f.secret.SetText(testSecret)
	test.Tap(f.test)
	wantStatus(t, f.status, "Test failed: ", "127.0.0.1:1")
}

func TestCredentialsFormTestUsesStoredSecret(t *testing.T) {
	url := startEmulator(t)
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "staging", url)
	f := newTestCredentialsForm(t, saver, "staging")

	test.Tap(f.test)
	wantStatus(t, f.status, "Test passed")
}

func TestCredentialsFormRevealToggle(t *testing.T) {
	saver, _ := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	test.Type(f.secret, "s3cret")
	if !f.secret.Password {
		t.Fatal("secret field shows the secret before the toggle")
	}
	toggle, ok := f.secret.ActionItem.(fyne.Tappable)
	if !ok {
		t.Fatal("secret field has no show/hide toggle")
	}
	test.Tap(toggle)
	if f.secret.Password {
		t.Errorf("secret still hidden after the toggle")
	}
	test.Tap(toggle)
	if !f.secret.Password {
		t.Errorf("secret still shown after the second toggle")
	}
}

func TestCredentialsFormKeepsEditsWhenFileChanges(t *testing.T) {
	url := startEmulator(t)
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "staging", url)
	f := newTestCredentialsForm(t, saver, "staging")
	f.clientID.SetText("edited")

	p := auth.Profile{Name: "staging", ClientID: testClientID, APIURL: url, Legacy: true}
	if _, err := saver.Store.Update(func(c *auth.Config) error { c.Put(p); return nil }); err != nil {
		t.Fatal(err)
	}
	f.syncFromFile()
	if f.clientID.Text != "edited" {
		t.Errorf("client id = %q after a file change, want the unsaved edit kept", f.clientID.Text)
	}
	wantStatus(t, f.status, "The profile file changed while you were editing.")

	if err := saver.Remove("staging"); err != nil {
		t.Fatal(err)
	}
	f.syncFromFile()
	wantStatus(t, f.status, `Another program removed profile "staging".`)
	if f.name.Disabled() {
		t.Errorf("name field locked after the profile was removed elsewhere")
	}
}

func TestCredentialsFormDirty(t *testing.T) {
	saver, _ := newTestSaver(t)
	addStoredProfile(t, saver, "a", "https://staging.example.com")
	f := newTestCredentialsForm(t, saver, "a")
	if f.dirty() {
		t.Fatal("form dirty right after loading")
	}
	test.Type(f.secret, "new")
	if !f.dirty() {
		t.Errorf("form not dirty after typing a secret")
	}

	blank := newTestCredentialsForm(t, saver, "")
	if blank.dirty() {
		t.Errorf("empty new-profile form counts as dirty")
	}
	blank.urlChoice.SetSelected(urlCustom)
	if !blank.dirty() {
		t.Errorf("form not dirty after choosing a custom URL")
	}
}

func TestCredentialsFormChecksLegacySecret(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "staging", url)
	f := newTestCredentialsForm(t, saver, "staging")

	test.Tap(f.legacy)
	test.Type(f.secret, "wrong")
	test.Tap(f.save)

	wantStatus(t, f.status, "The server rejected the client id or secret (401 Unauthorized).", "Nothing was saved.")
	if secrets["staging"] != testSecret {
		t.Errorf("a rejected secret replaced the working one of a legacy profile")
	}
	config, _ := saver.Store.Load()
	if p, _ := config.Find("staging"); p.Legacy {
		t.Errorf("legacy setting saved although the credential check failed")
	}
}

func TestCredentialsFormAddRejectsTakenName(t *testing.T) {
	url := startEmulator(t)
	saver, secrets := newTestSaver(t)
	addStoredProfile(t, saver, "staging", url)
	f := newTestCredentialsForm(t, saver, "")

	fillForm(f, "staging", testClientID, testSecret, url)
	test.Tap(f.legacy)
	test.Tap(f.save)

	wantStatus(t, f.status, `a profile named "staging" already exists; choose another name or use Edit…`)
	config, _ := saver.Store.Load()
	if p, _ := config.Find("staging"); p.Legacy {
		t.Errorf("profile after a rejected add = %+v, want the stored settings", p)
	}
	if secrets["staging"] != testSecret {
		t.Errorf("keyring entry changed by a rejected add")
	}
}

func TestCredentialsFormStatusSentences(t *testing.T) {
	saver, _ := newTestSaver(t)
	f := newTestCredentialsForm(t, saver, "")
	fillForm(f, " p ", "cli:ent", "s", "")
	test.Tap(f.save)

	if strings.Contains(f.status.Text, "Removed spaces") {
		t.Errorf("status = %q, want no trimming note while the field keeps its spaces", f.status.Text)
	}
	if !strings.HasSuffix(f.status.Text, ".") {
		t.Errorf("status = %q, want it to end with a full stop", f.status.Text)
	}

	f.clientID.SetText("client")
	f.urlChoice.SetSelected(urlCustom)
	f.apiURL.SetText("staging ")
	test.Tap(f.save)
	if strings.Contains(f.status.Text, "https:// Removed") || strings.Contains(f.status.Text, "Removed spaces") {
		t.Errorf("status = %q, want the error alone as a sentence", f.status.Text)
	}
}

func TestSentencesJoinsMessages(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{[]string{"Invalid client id (only the secret may contain ':')", "Removed spaces."},
			"Invalid client id (only the secret may contain ':'). Removed spaces."},
		{[]string{"Use https://", ""}, "Use https://."},
		{[]string{"Saved.", "Removed spaces."}, "Saved. Removed spaces."},
		{[]string{"Saving…"}, "Saving…"},
	} {
		if got := sentences(tc.in...); got != tc.want {
			t.Errorf("sentences(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
