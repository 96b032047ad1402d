package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/assets"
	"github.com/athos-tray/athos-tray/auth"
)

// AppID is the Fyne application id, also written in FyneApp.toml.
const AppID = "com.athostray.tokentray"

// newProfileOption is the entry of the profile selector that starts a new
// profile.
const newProfileOption = "New profile…"

// saveTimeout bounds the credential check that runs before a save.
const saveTimeout = 30 * time.Second

// RunProfilesWindow shows the profile editor and returns when it is
// closed or ctx ends. It runs in its own process because the resident tray
// does not start the Fyne driver.
func RunProfilesWindow(ctx context.Context, saver auth.ProfileSaver) error {
	a := app.NewWithID(AppID)
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	a.SetIcon(fyne.NewStaticResource("Icon.png", assets.AppIcon()))

	w := a.NewWindow("Athos Token Tray: profiles")
	editor := newProfileEditor(w, saver)
	w.SetContent(editor.content())
	go editor.watchFile(ctx)
	w.Resize(fyne.NewSize(560, 0))
	w.ShowAndRun()
	return nil
}

// profileEditor is the content of the profile window. Its widgets are
// touched on the Fyne goroutine only, and slow work reports back through
// fyne.Do.
type profileEditor struct {
	window fyne.Window
	saver  auth.ProfileSaver
	config auth.Config
	// background runs slow work off the Fyne goroutine. Tests replace it
	// to run the work at once.
	background func(work func())
	// current is the selector entry whose settings the form shows.
	current string
	// keepForm stops a change of selection made by the editor itself from
	// refilling the form.
	keepForm bool

	selector *widget.Select
	name     *widget.Entry
	clientID *widget.Entry
	apiURL   *widget.Entry
	secret   *widget.Entry
	legacy   *widget.Check
	verify   *widget.Check
	save     *widget.Button
	use      *widget.Button
	remove   *widget.Button
	status   *widget.Label
}

func newProfileEditor(w fyne.Window, saver auth.ProfileSaver) *profileEditor {
	e := &profileEditor{window: w, saver: saver, background: func(work func()) { go work() }}

	e.selector = widget.NewSelect(nil, e.selectProfile)
	e.name = widget.NewEntry()
	e.name.SetPlaceHolder("production")
	e.clientID = widget.NewEntry()
	e.apiURL = widget.NewEntry()
	e.apiURL.SetPlaceHolder(auth.DefaultAPIURL)
	e.secret = widget.NewPasswordEntry()
	e.legacy = widget.NewCheck("Use legacy Basic authentication instead of a token", nil)
	e.verify = widget.NewCheck("Request a token to check the credentials before saving", nil)
	e.verify.SetChecked(true)
	e.save = widget.NewButton("Save", e.saveProfile)
	e.save.Importance = widget.HighImportance
	e.use = widget.NewButton("Make active", e.useProfile)
	e.remove = widget.NewButton("Remove…", e.confirmRemove)
	e.status = widget.NewLabel("")
	e.status.Wrapping = fyne.TextWrapWord

	e.reload("")
	return e
}

func (e *profileEditor) content() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Profile", e.selector),
		widget.NewFormItem("Name", e.name),
		widget.NewFormItem("Client id", e.clientID),
		widget.NewFormItem("Client secret", e.secret),
		widget.NewFormItem("API URL", e.apiURL),
		widget.NewFormItem("", e.legacy),
		widget.NewFormItem("", e.verify),
	)
	buttons := container.NewHBox(e.save, e.use, e.remove)
	return container.NewPadded(container.NewVBox(form, buttons, e.status))
}

// watchFile reloads the profile list when another program, such as the
// command line, changes the profile file.
func (e *profileEditor) watchFile(ctx context.Context) {
	ticker := time.NewTicker(configCheckInterval)
	defer ticker.Stop()

	stamp := statFile(e.saver.Store.Path)
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		if now := statFile(e.saver.Store.Path); now != stamp {
			stamp = now
			fyne.Do(e.syncFromFile)
		}
	}
}

// syncFromFile reloads the profile list. Unsaved edits in the form are
// kept, and otherwise the form shows what is stored for the selection.
func (e *profileEditor) syncFromFile() {
	if !e.dirty() {
		e.reload(e.current)
		return
	}

	config, err := e.saver.Store.Load()
	if err != nil {
		e.showError(err)
		return
	}
	e.config = config
	e.keepForm = true
	e.selector.SetOptions(profileOptions(config))
	e.selector.SetSelected(e.current)
	e.keepForm = false
	e.updateButtons()

	if _, ok := config.Find(e.current); !ok && e.current != newProfileOption {
		e.status.SetText(fmt.Sprintf("Another program removed profile %q. Save creates it again from the form.", e.current))
		return
	}
	e.status.SetText("The profile file changed while you were editing. Save writes what the form shows.")
}

// dirty reports whether the form differs from what is stored for the
// selected profile.
func (e *profileEditor) dirty() bool {
	stored, _ := e.config.Find(e.current)
	return e.formProfile() != stored || e.secret.Text != ""
}

func profileOptions(config auth.Config) []string {
	options := []string{newProfileOption}
	for _, p := range config.Profiles {
		options = append(options, p.Name)
	}
	return options
}

// reload reads the profile file and selects name, or the active profile
// when name is empty or no longer exists.
func (e *profileEditor) reload(name string) {
	config, err := e.saver.Store.Load()
	if err != nil {
		e.showError(err)
		return
	}
	e.config = config

	options := profileOptions(config)
	e.selector.SetOptions(options)

	if name == "" || (name != newProfileOption && !slices.Contains(options, name)) {
		active, _ := config.ActiveProfile()
		name = active.Name
	}
	if !slices.Contains(options, name) {
		name = newProfileOption
	}
	e.keepForm = true
	e.selector.SetSelected(name)
	e.keepForm = false
	e.fill(name)
}

// selectProfile fills the form with the chosen profile, or empties it for
// a new one. The secret field stays empty: the stored secret is never
// read into the window.
func (e *profileEditor) selectProfile(choice string) {
	if e.keepForm || choice == e.current {
		return
	}
	if !e.dirty() {
		e.fill(choice)
		e.status.SetText("")
		return
	}

	previous := e.current
	message := fmt.Sprintf("Discard the unsaved changes to %q?", previous)
	dialog.ShowConfirm("Unsaved changes", message, func(discard bool) {
		if discard {
			e.fill(choice)
			e.status.SetText("")
			return
		}
		e.keepForm = true
		e.selector.SetSelected(previous)
		e.keepForm = false
	}, e.window)
}

// fill shows the stored settings of choice in the form and makes it the
// profile the form belongs to.
func (e *profileEditor) fill(choice string) {
	e.current = choice
	p, _ := e.config.Find(choice)
	e.name.SetText(p.Name)
	e.clientID.SetText(p.ClientID)
	e.apiURL.SetText(p.APIURL)
	e.secret.SetText("")
	e.legacy.SetChecked(p.Legacy)
	e.updateButtons()
}

// updateButtons enables the buttons that apply to the form's profile as
// the profile file stores it now.
func (e *profileEditor) updateButtons() {
	p, stored := e.config.Find(e.current)
	if stored {
		e.secret.SetPlaceHolder("stored in the keyring; type to replace it")
		e.remove.Enable()
	} else {
		e.secret.SetPlaceHolder("")
		e.remove.Disable()
	}
	if stored && p.Name != e.config.Active {
		e.use.Enable()
	} else {
		e.use.Disable()
	}
}

func (e *profileEditor) formProfile() auth.Profile {
	return auth.Profile{
		Name:     e.name.Text,
		ClientID: e.clientID.Text,
		APIURL:   e.apiURL.Text,
		Legacy:   e.legacy.Checked,
	}
}

// saveProfile checks and saves the form off the Fyne goroutine, because
// the check is a network request and the keyring may prompt.
func (e *profileEditor) saveProfile() {
	p, secret, verify := e.formProfile(), e.secret.Text, e.verify.Checked
	e.setBusy(true, "Saving…")

	e.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), saveTimeout)
		defer cancel()
		err := e.saver.Save(ctx, p, secret, verify)

		fyne.Do(func() {
			e.setBusy(false, "")
			if err != nil {
				e.showError(err)
				return
			}
			e.reload(p.Name)
			e.status.SetText(fmt.Sprintf("Saved profile %q.", p.Name))
		})
	})
}

func (e *profileEditor) useProfile() {
	name := e.selector.Selected
	if err := e.saver.Use(name); err != nil {
		e.reload("")
		e.showError(err)
		return
	}
	e.reload(name)
	e.status.SetText(fmt.Sprintf("%q is now the active profile.", name))
}

func (e *profileEditor) confirmRemove() {
	name := e.selector.Selected
	message := fmt.Sprintf("Remove profile %q and its client secret from the keyring?", name)
	if name == e.config.Active {
		message = fmt.Sprintf("Remove profile %q, the active profile, and its client secret from the keyring?", name)
	}
	dialog.ShowConfirm("Remove profile", message, func(ok bool) {
		if ok {
			e.removeProfile(name)
		}
	}, e.window)
}

func (e *profileEditor) removeProfile(name string) {
	e.setBusy(true, "Removing…")
	e.background(func() {
		err := e.saver.Remove(name)
		fyne.Do(func() {
			e.setBusy(false, "")
			if err != nil {
				e.reload("")
				e.showError(err)
				return
			}
			e.reload("")
			e.status.SetText(removedMessage(name, e.config))
		})
	})
}

func (e *profileEditor) setBusy(busy bool, message string) {
	if busy {
		e.save.Disable()
		e.status.SetText(message)
		return
	}
	e.save.Enable()
	e.status.SetText(message)
}

// showError shows err in the status line. Errors of package auth never
// contain a secret or a token.
func (e *profileEditor) showError(err error) {
	text := err.Error()
	var status *auth.StatusError
	if errors.As(err, &status) && errors.Is(err, auth.ErrCredentialsRejected) {
		text = fmt.Sprintf("The server rejected the client id or secret (%d %s). Nothing was saved.",
			status.StatusCode, http.StatusText(status.StatusCode))
	}
	e.status.SetText(text)
}

// removedMessage confirms a removal and names the profile that is active
// now, because removing the active profile makes another one active.
func removedMessage(name string, config auth.Config) string {
	active, ok := config.ActiveProfile()
	switch {
	case !ok && len(config.Profiles) == 0:
		return fmt.Sprintf("Removed profile %q. No profiles are left.", name)
	case !ok:
		return fmt.Sprintf("Removed profile %q. No profile is active.", name)
	}
	return fmt.Sprintf("Removed profile %q. The active profile is %q.", name, active.Name)
}
