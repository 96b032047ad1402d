package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/auth"
)

// RunProfilesWindow shows the profile list and returns when it is closed
// or ctx ends. Add and Edit open the credentials form in a second window
// of the same process.
func RunProfilesWindow(ctx context.Context, saver auth.ProfileSaver) error {
	a := newWindowApp(ctx)
	w := a.NewWindow(TitleProfiles)
	w.SetMaster()
	m := newProfileManager(w, saver)
	m.openForm = func(name string) { m.openFormWindow(ctx, a, name) }
	w.SetContent(m.content())
	w.Resize(fyne.NewSize(560, 380))
	go watchProfileFile(ctx, saver.Store.Path, m.syncFromFile)
	w.ShowAndRun()
	return nil
}

// profileManager lists the profiles and adds, edits, renames, duplicates
// and removes them. Its widgets are touched on the Fyne goroutine only.
type profileManager struct {
	window fyne.Window
	saver  auth.ProfileSaver
	// background runs keyring work off the Fyne goroutine. Tests replace it
	// to run the work at once.
	background func(work func())
	// openForm opens the credentials form for a profile, or for a new one
	// when the name is empty.
	openForm func(name string)
	// form is the open credentials window, nil when none is open.
	form       fyne.Window
	formEditor *credentialsForm

	config   auth.Config
	selected string

	// nameEntry is the name field of the last dialog that askName
	// showed, which tests type into.
	nameEntry *widget.Entry

	list      *widget.List
	add       *widget.Button
	edit      *widget.Button
	rename    *widget.Button
	duplicate *widget.Button
	remove    *widget.Button
	use       *widget.Button
	status    *widget.Label
}

func newProfileManager(w fyne.Window, saver auth.ProfileSaver) *profileManager {
	m := &profileManager{window: w, saver: saver, background: runInBackground}
	m.list = widget.NewList(
		func() int { return len(m.config.Profiles) },
		func() fyne.CanvasObject { return widget.NewLabel("profile name placeholder") },
		func(id widget.ListItemID, item fyne.CanvasObject) {
			item.(*widget.Label).SetText(m.rowText(id))
		},
	)
	m.list.OnSelected = func(id widget.ListItemID) {
		if id >= 0 && id < len(m.config.Profiles) {
			m.selected = m.config.Profiles[id].Name
		}
		m.updateButtons()
	}
	m.add = widget.NewButton("Add…", func() { m.openForm("") })
	m.add.Importance = widget.HighImportance
	m.edit = widget.NewButton("Edit…", func() { m.openForm(m.selected) })
	m.rename = widget.NewButton("Rename…", func() { m.askName("Rename profile", "Rename", m.renameProfile) })
	m.duplicate = widget.NewButton("Duplicate…", func() { m.askName("Duplicate profile", "Duplicate", m.duplicateProfile) })
	m.remove = widget.NewButton("Remove…", m.confirmRemove)
	m.use = widget.NewButton("Make active", m.useProfile)
	m.status = widget.NewLabel("")
	m.status.Wrapping = fyne.TextWrapWord
	m.reload("")
	return m
}

func (m *profileManager) content() fyne.CanvasObject {
	buttons := container.NewVBox(m.add, m.edit, m.rename, m.duplicate, m.remove, widget.NewSeparator(), m.use)
	return container.NewBorder(nil, m.status, nil, buttons, m.list)
}

func (m *profileManager) rowText(id widget.ListItemID) string {
	if id < 0 || id >= len(m.config.Profiles) {
		return ""
	}
	p := m.config.Profiles[id]
	text := p.Name + " (" + p.ClientID + ")"
	if active, ok := m.config.ActiveProfile(); ok && active.Name == p.Name {
		text += " · active"
	}
	if p.APIURL != "" {
		text += " · " + p.APIURL
	}
	return text
}

// reload reads the profile file and selects name, or keeps the current
// selection when name is empty and it still exists.
func (m *profileManager) reload(name string) {
	config, err := m.saver.Store.Load()
	if err != nil {
		m.status.SetText(errorText(err))
		return
	}
	m.config = config
	if name == "" {
		name = m.selected
	}
	if _, ok := config.Find(name); !ok {
		active, _ := config.ActiveProfile()
		name = active.Name
	}
	m.selected = ""
	m.list.UnselectAll()
	m.list.Refresh()
	for i, p := range config.Profiles {
		if p.Name == name {
			m.list.Select(i)
		}
	}
	if len(config.Profiles) == 0 {
		m.status.SetText("No profiles yet. Add… asks for the client id and secret of an Athos organisation.")
	}
	m.updateButtons()
}

// syncFromFile follows changes that another program, or the credentials
// form, made to the profile file.
func (m *profileManager) syncFromFile() {
	m.reload("")
}

func (m *profileManager) updateButtons() {
	_, ok := m.config.Find(m.selected)
	for _, b := range []*widget.Button{m.edit, m.rename, m.duplicate, m.remove} {
		if ok {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	if active, _ := m.config.ActiveProfile(); ok && active.Name != m.selected {
		m.use.Enable()
	} else {
		m.use.Disable()
	}
}

// openFormWindow shows the credentials form in a second window, or brings
// the open one forward. An open form with unsaved edits is never replaced.
func (m *profileManager) openFormWindow(ctx context.Context, a fyne.App, name string) {
	if m.form != nil {
		sameProfile := name != "" && m.formEditor.editing == name
		if sameProfile || m.formEditor.dirty() {
			m.form.RequestFocus()
			if !sameProfile {
				m.status.SetText("The open credentials window has unsaved changes. Save or close it first.")
			}
			return
		}
		m.form.Close()
	}
	w := a.NewWindow(TitleCredentials)
	form := newCredentialsForm(w, m.saver)
	if err := form.load(name); err != nil {
		form.status.SetText(errorText(err))
	}
	form.onSaved = func(saved string) {
		m.reload(saved)
		m.status.SetText(fmt.Sprintf("Saved profile %q.", saved))
		w.Close()
	}
	w.SetOnClosed(func() {
		if m.form == w {
			m.form, m.formEditor = nil, nil
		}
	})
	m.form, m.formEditor = w, form
	w.SetContent(form.content())
	w.Resize(credentialsWindowSize)
	w.Canvas().Focus(form.firstField())
	w.Show()
}

// askName shows a dialog for a new profile name for the selected profile and calls
// apply with the old and new names. Enter in the name field confirms.
func (m *profileManager) askName(title, confirm string, apply func(from, to string)) {
	from := m.selected
	entry := widget.NewEntry()
	entry.Validator = func(text string) error { return auth.ValidateProfileName(text) }
	if confirm == "Duplicate" {
		entry.SetText(from + " copy")
	} else {
		entry.SetText(from)
	}
	items := []*widget.FormItem{widget.NewFormItem("New name", entry)}
	d := dialog.NewForm(title, confirm, "Cancel", items, func(ok bool) {
		if ok {
			apply(from, entry.Text)
		}
	}, m.window)
	entry.OnSubmitted = func(string) { d.Submit() }
	m.nameEntry = entry
	d.Resize(fyne.NewSize(nameDialogWidth(d, entry), d.MinSize().Height))
	d.Show()
	m.window.Canvas().Focus(entry)
}

// nameDialogWidth returns a width of dialog d at which its name entry
// shows about 30 characters of average width, besides its padding and
// validation icon.
func nameDialogWidth(d dialog.Dialog, entry *widget.Entry) float32 {
	text := fyne.MeasureText(strings.Repeat("n", 30), theme.TextSize(), fyne.TextStyle{}).Width
	around := d.MinSize().Width - entry.MinSize().Width
	return around + text + 2*theme.InnerPadding() + theme.IconInlineSize() + 2*theme.Padding()
}

func (m *profileManager) renameProfile(from, to string) {
	m.runChange("Renaming…", func() error { return m.saver.Rename(from, to) }, to,
		fmt.Sprintf("Renamed profile %q to %q; its secret moved with it.", from, to))
}

func (m *profileManager) duplicateProfile(from, to string) {
	m.runChange("Duplicating…", func() error { return m.saver.Duplicate(from, to) }, to,
		fmt.Sprintf("Added profile %q as a copy of %q, with the same secret.", to, from))
}

func (m *profileManager) confirmRemove() {
	name := m.selected
	message := fmt.Sprintf("Remove profile %q and delete its client secret from the keyring?", name)
	if active, _ := m.config.ActiveProfile(); active.Name == name {
		message = fmt.Sprintf("Remove profile %q, the active profile, and delete its client secret from the keyring?",
			name)
	}
	dialog.ShowConfirm("Remove profile", message, func(ok bool) {
		if ok {
			m.removeProfile(name)
		}
	}, m.window)
}

func (m *profileManager) removeProfile(name string) {
	m.runChange("Removing…", func() error { return m.saver.Remove(name) }, "", "")
}

// runChange runs a keyring and profile-file change off the Fyne goroutine
// and shows its result.
func (m *profileManager) runChange(busy string, change func() error, selectAfter, done string) {
	m.status.SetText(busy)
	m.background(func() {
		err := change()
		fyne.Do(func() {
			if err != nil {
				// The selection stays where it is, because the new
				// name may belong to another profile.
				m.reload("")
				m.status.SetText(errorText(err))
				return
			}
			m.reload(selectAfter)
			switch {
			case done == "":
				m.status.SetText(removedMessage(m.config))
			default:
				m.status.SetText(done)
			}
		})
	})
}

func (m *profileManager) useProfile() {
	name := m.selected
	if err := m.saver.Use(name); err != nil {
		m.reload("")
		m.status.SetText(errorText(err))
		return
	}
	m.reload(name)
	m.status.SetText(fmt.Sprintf("%q is now the active profile.", name))
}

// removedMessage confirms a removal and names the profile that is active
// now, because removing the active profile makes another one active.
func removedMessage(config auth.Config) string {
	active, ok := config.ActiveProfile()
	switch {
	case !ok && len(config.Profiles) == 0:
		return "Removed the profile and its keyring entry. No profiles are left."
	case !ok:
		return "Removed the profile and its keyring entry. No profile is active."
	}
	return fmt.Sprintf("Removed the profile and its keyring entry. The active profile is %q.", active.Name)
}
