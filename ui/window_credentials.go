package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/auth"
)

// Choices of the API URL radio group.
const (
	urlProduction = "Production (" + auth.DefaultAPIURL + ")"
	urlCustom     = "Custom URL, such as a staging server"
)

// storedSecretHint is the secret field's placeholder while editing a
// stored profile.
const storedSecretHint = "Stored in the keyring; leave empty to keep it"

// RunCredentialsWindow shows the credentials form for profile name, or
// for a new profile when name is empty, and returns when the window is
// closed or ctx ends.
func RunCredentialsWindow(ctx context.Context, saver auth.ProfileSaver, name string) error {
	a := newWindowApp(ctx)
	w := a.NewWindow(TitleCredentials)
	form := newCredentialsForm(w, saver)
	if err := form.load(name); err != nil {
		form.status.SetText(errorText(err))
	}
	form.onSaved = func(string) { w.Close() }
	w.SetContent(form.content())
	w.Resize(credentialsWindowSize)
	w.Canvas().Focus(form.firstField())
	go watchProfileFile(ctx, saver.Store.Path, form.syncFromFile)
	w.ShowAndRun()
	return nil
}

// credentialsForm adds or edits one profile. Its widgets are touched on
// the Fyne goroutine only.
type credentialsForm struct {
	window fyne.Window
	saver  auth.ProfileSaver
	// background runs slow work off the Fyne goroutine. Tests replace it
	// to run the work at once.
	background func(work func())
	// newFetcher returns the client that Test uses.
	newFetcher func(apiURL string) auth.Fetcher
	// onSaved, when set, runs after a successful save.
	onSaved func(name string)

	// editing is the stored profile the form edits, empty for a new one.
	editing string
	// stored is that profile as the profile file stored it when loaded.
	stored auth.Profile
	// filled is the content of the fields after the form was last filled,
	// so that dirty can detect unsaved edits.
	filled formValues

	name      *widget.Entry
	clientID  *widget.Entry
	secret    *widget.Entry
	urlChoice *widget.RadioGroup
	apiURL    *widget.Entry
	legacy    *widget.Check
	verify    *widget.Check
	test      *widget.Button
	save      *widget.Button
	status    *widget.Label
}

func newCredentialsForm(w fyne.Window, saver auth.ProfileSaver) *credentialsForm {
	f := &credentialsForm{
		window:     w,
		saver:      saver,
		background: runInBackground,
		newFetcher: func(apiURL string) auth.Fetcher { return &auth.Client{APIURL: apiURL} },
	}
	f.name = widget.NewEntry()
	f.name.SetPlaceHolder("production")
	f.clientID = widget.NewEntry()
	f.secret = widget.NewPasswordEntry()
	f.urlChoice = widget.NewRadioGroup([]string{urlProduction, urlCustom}, f.chooseURL)
	f.urlChoice.Required = true
	f.apiURL = widget.NewEntry()
	f.apiURL.SetPlaceHolder("https://staging.example.com")
	f.apiURL.OnChanged = func(text string) {
		if strings.TrimSpace(text) != "" && f.urlChoice.Selected != urlCustom {
			f.urlChoice.SetSelected(urlCustom)
		}
	}
	f.legacy = widget.NewCheck("Use legacy Basic authentication instead of a token", nil)
	f.verify = widget.NewCheck("Request a token to check the credentials before saving", nil)
	f.verify.SetChecked(true)
	f.test = widget.NewButton("Test", f.testCredentials)
	f.save = widget.NewButton("Save", f.saveProfile)
	f.save.Importance = widget.HighImportance
	f.status = widget.NewLabel("")
	f.status.Wrapping = fyne.TextWrapWord

	// Enter in any field saves, so the form works from the keyboard.
	for _, e := range []*widget.Entry{f.name, f.clientID, f.secret, f.apiURL} {
		e.OnSubmitted = func(string) { f.saveProfile() }
	}
	f.urlChoice.SetSelected(urlProduction)
	return f
}

func (f *credentialsForm) content() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Profile name", f.name),
		widget.NewFormItem("Client id", f.clientID),
		widget.NewFormItem("Client secret", f.secret),
		widget.NewFormItem("API URL", container.NewVBox(f.urlChoice, f.apiURL)),
		widget.NewFormItem("", f.legacy),
		widget.NewFormItem("", f.verify),
	)
	buttons := container.NewHBox(f.test, f.save)
	return container.NewPadded(container.NewVBox(form, buttons, f.status))
}

// firstField is the field that has the keyboard focus when the window
// opens.
func (f *credentialsForm) firstField() fyne.Focusable {
	if f.editing != "" {
		return f.clientID
	}
	return f.name
}

func (f *credentialsForm) chooseURL(choice string) {
	if choice == urlProduction {
		f.apiURL.SetText("")
	}
}

// load fills the form with stored profile name, or empties it for a new
// profile when name is empty. The secret is never read into the form.
func (f *credentialsForm) load(name string) error {
	f.editing, f.stored = "", auth.Profile{}
	f.name.Enable()
	f.secret.SetText("")
	f.secret.SetPlaceHolder("")
	if name == "" {
		f.fill(auth.Profile{})
		return nil
	}

	config, err := f.saver.Store.Load()
	if err != nil {
		return err
	}
	p, ok := config.Find(name)
	if !ok {
		f.fill(auth.Profile{Name: name})
		return fmt.Errorf("profile %q is not in %s; fill in the form to add it", name, f.saver.Store.Path)
	}
	f.editing, f.stored = p.Name, p
	f.fill(p)
	f.name.Disable()
	f.secret.SetPlaceHolder(storedSecretHint)
	return nil
}

func (f *credentialsForm) fill(p auth.Profile) {
	f.name.SetText(p.Name)
	f.clientID.SetText(p.ClientID)
	if p.APIURL == "" || p.APIURL == auth.DefaultAPIURL {
		f.urlChoice.SetSelected(urlProduction)
		f.apiURL.SetText("")
	} else {
		f.apiURL.SetText(p.APIURL)
		f.urlChoice.SetSelected(urlCustom)
	}
	f.legacy.SetChecked(p.Legacy)
	f.filled = f.values()
}

// formValues is the raw content of the form's fields.
type formValues struct {
	name, clientID, secret, urlChoice, apiURL string
	legacy                                    bool
}

func (f *credentialsForm) values() formValues {
	return formValues{
		name:      f.name.Text,
		clientID:  f.clientID.Text,
		secret:    f.secret.Text,
		urlChoice: f.urlChoice.Selected,
		apiURL:    f.apiURL.Text,
		legacy:    f.legacy.Checked,
	}
}

// dirty reports whether the fields were edited since the form was filled.
func (f *credentialsForm) dirty() bool {
	return f.values() != f.filled
}

// syncFromFile follows changes that another program made to the profile
// file. Unsaved edits are kept and the status line reports what changed.
func (f *credentialsForm) syncFromFile() {
	config, err := f.saver.Store.Load()
	if err != nil || f.editing == "" {
		return
	}
	p, ok := config.Find(f.editing)
	switch {
	case !ok:
		f.status.SetText(fmt.Sprintf("Another program removed profile %q. Save adds it again from the form, "+
			"with a secret.", f.editing))
		f.editing, f.stored = "", auth.Profile{}
		f.name.Enable()
		f.secret.SetPlaceHolder("")
	case p == f.stored:
	case f.dirty():
		f.stored = p
		f.status.SetText("The profile file changed while you were editing. Save writes what the form shows.")
	default:
		f.stored = p
		f.fill(p)
		f.status.SetText(fmt.Sprintf("Profile %q was changed by another program; the form shows the new settings.",
			p.Name))
	}
}

// read returns the profile and secret in the form, with surrounding
// white space removed, and notes naming the fields that were trimmed. The
// secret is empty when the stored one should be kept.
func (f *credentialsForm) read() (p auth.Profile, secret string, trimmed []string, err error) {
	trim := func(label, text string) string {
		if t := strings.TrimSpace(text); t != text && t != "" {
			trimmed = append(trimmed, label)
			return t
		}
		return strings.TrimSpace(text)
	}
	p.Name = trim("profile name", f.name.Text)
	if f.editing != "" {
		p.Name = f.editing
	}
	p.ClientID = trim("client id", f.clientID.Text)
	secret = trim("client secret", f.secret.Text)
	p.Legacy = f.legacy.Checked

	if err := auth.ValidateProfileName(p.Name); err != nil {
		return p, "", trimmed, err
	}
	if err := auth.ValidateClientID(p.ClientID); err != nil {
		return p, "", trimmed, err
	}
	switch {
	case secret == "" && f.editing == "":
		return p, "", trimmed, fmt.Errorf("%w: missing client secret; enter the secret issued with the client id",
			auth.ErrInvalidInput)
	case secret != "":
		if err := auth.ValidateSecret(secret); err != nil {
			return p, "", trimmed, err
		}
	}

	if f.urlChoice.Selected == urlCustom {
		raw := trim("API URL", f.apiURL.Text)
		if raw == "" {
			return p, "", trimmed, fmt.Errorf("%w: missing custom API URL; enter a URL such as "+
				"https://staging.example.com, or choose Production", auth.ErrInvalidInput)
		}
		u, err := auth.ValidateAPIURL(raw)
		if err != nil {
			return p, "", trimmed, err
		}
		if p.APIURL = u.String(); p.APIURL == auth.DefaultAPIURL {
			p.APIURL = ""
		}
	}
	return p, secret, trimmed, nil
}

// trimNote names the fields that lost surrounding white space.
func trimNote(trimmed []string) string {
	if len(trimmed) == 0 {
		return ""
	}
	return "Removed spaces around the " + strings.Join(trimmed, ", ") + "."
}

// sentences joins messages for a status line as separate sentences. Each
// non-empty message that lacks closing punctuation gets a full stop.
func sentences(messages ...string) string {
	var parts []string
	for _, m := range messages {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if !strings.HasSuffix(m, ".") && !strings.HasSuffix(m, "!") && !strings.HasSuffix(m, "?") &&
			!strings.HasSuffix(m, "…") {
			m += "."
		}
		parts = append(parts, m)
	}
	return strings.Join(parts, " ")
}

// checkNewName rejects a new profile whose name is already taken, because
// Save would replace that profile's settings and secret.
func (f *credentialsForm) checkNewName(name string) error {
	if f.editing != "" {
		return nil
	}
	config, err := f.saver.Store.Load()
	if err != nil {
		return err
	}
	if _, ok := config.Find(name); ok {
		return fmt.Errorf("%w: a profile named %q already exists; choose another name or use Edit… to change it",
			auth.ErrInvalidInput, name)
	}
	return nil
}

// failureText is the status line after a failed save.
func failureText(err error, trimmed []string) string {
	text := errorText(err)
	if !strings.Contains(strings.ToLower(text), "nothing was saved") {
		text = sentences(text, "Nothing was saved.")
	}
	return sentences(text, trimNote(trimmed))
}

// saveProfile checks and saves the form off the Fyne goroutine, because
// the check is a network request and the keyring may prompt.
func (f *credentialsForm) saveProfile() {
	if f.save.Disabled() {
		return
	}
	// The fields keep their spaces after a validation error, so the
	// status line does not report trimming until the values are used.
	p, secret, trimmed, err := f.read()
	if err == nil {
		err = f.checkNewName(p.Name)
	}
	if err != nil {
		f.status.SetText(sentences(errorText(err)))
		return
	}
	f.showTrimmed(p, secret, trimmed)
	// Legacy profiles are checked with a token request too, as the
	// command line does, so that a wrong secret never replaces a working
	// one.
	verify := f.verify.Checked
	f.setBusy(true, "Saving…")

	f.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		defer cancel()
		err := f.saver.Save(ctx, p, secret, verify)

		fyne.Do(func() {
			f.setBusy(false, "")
			if err != nil {
				f.status.SetText(failureText(err, trimmed))
				return
			}
			if loadErr := f.load(p.Name); loadErr != nil {
				f.status.SetText(sentences(errorText(loadErr)))
				return
			}
			f.status.SetText(sentences(fmt.Sprintf("Saved profile %q.", p.Name), trimNote(trimmed)))
			if f.onSaved != nil {
				f.onSaved(p.Name)
			}
		})
	})
}

// showTrimmed puts the trimmed values back in the fields, so that the
// form shows what is saved or tested.
func (f *credentialsForm) showTrimmed(p auth.Profile, secret string, trimmed []string) {
	if len(trimmed) == 0 {
		return
	}
	if f.editing == "" {
		f.name.SetText(p.Name)
	}
	f.clientID.SetText(p.ClientID)
	if secret != "" {
		f.secret.SetText(secret)
	}
	if f.urlChoice.Selected == urlCustom {
		f.apiURL.SetText(strings.TrimSpace(f.apiURL.Text))
	}
}

// testCredentials requests a token with the form's values, or with the
// stored secret when the secret field is empty, and shows the scope and
// expiry or the reason the request failed. Nothing is saved.
func (f *credentialsForm) testCredentials() {
	p, secret, trimmed, err := f.read()
	if err != nil {
		f.status.SetText(sentences(errorText(err)))
		return
	}
	f.showTrimmed(p, secret, trimmed)
	f.setBusy(true, "Requesting a token from "+p.BaseURL()+"…")

	editing := f.editing
	f.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		defer cancel()
		tok, err := f.fetchForTest(ctx, p, secret, editing)

		fyne.Do(func() {
			f.setBusy(false, "")
			if err != nil {
				f.status.SetText(sentences("Test failed: "+errorText(err), trimNote(trimmed)))
				return
			}
			f.status.SetText(sentences(testResult(tok), trimNote(trimmed)))
		})
	})
}

func (f *credentialsForm) fetchForTest(ctx context.Context, p auth.Profile, secret, editing string) (auth.Token, error) {
	if secret == "" {
		stored, err := f.saver.Secrets.Get(editing)
		if err != nil {
			if errors.Is(err, auth.ErrSecretNotFound) {
				return auth.Token{}, fmt.Errorf("%w: no client secret is stored for %q; enter it to test",
					auth.ErrInvalidInput, editing)
			}
			return auth.Token{}, err
		}
		secret = stored
	}
	return f.newFetcher(p.BaseURL()).FetchToken(ctx, auth.Credentials{ClientID: p.ClientID, ClientSecret: secret})
}

// testResult describes a token received by Test.
func testResult(tok auth.Token) string {
	scope := tok.Scope
	if scope == "" {
		scope = "(none reported)"
	}
	expiry := tok.Expiry()
	return fmt.Sprintf("Test passed: the server issued a token with scope %s, valid for %s (until %s).",
		scope, Countdown(tok.ExpiresIn), expiry.Local().Format("2006-01-02 15:04:05 MST"))
}

func (f *credentialsForm) setBusy(busy bool, message string) {
	if busy {
		f.save.Disable()
		f.test.Disable()
	} else {
		f.save.Enable()
		f.test.Enable()
	}
	f.status.SetText(message)
}

// credentialsWindowSize is the size of credential windows opened from
// the profile window.
var credentialsWindowSize = fyne.NewSize(600, 0)
