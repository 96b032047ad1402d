package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/athos-tray/athos-tray/internal/settings"
)

// StartAtLogin switches the tray's start at login, for example with
// package autostart.
type StartAtLogin struct {
	Enable  func() error
	Disable func() error
	// Enabled reports whether a registration exists now.
	Enabled func() (bool, error)
	// Location names where the registration is kept.
	Location string
}

// Labels of the copy formats in the settings window.
var copyFormatLabels = map[settings.CopyFormat]string{
	settings.CopyHeaderLine:  "Full line: Authorization: Bearer …",
	settings.CopyHeaderValue: "Value only: Bearer …",
	settings.CopyToken:       "Token alone",
}

// RunSettingsWindow shows the settings and returns when the window is
// closed or ctx ends. Each change is saved at once; the tray reads the
// settings file again when it changes.
func RunSettingsWindow(ctx context.Context, store settings.Store, login StartAtLogin) error {
	a := newWindowApp(ctx)
	w := a.NewWindow(TitleSettings)
	s := newSettingsForm(store, login)
	w.SetContent(s.content())
	w.Resize(fyne.NewSize(520, 0))
	w.ShowAndRun()
	return nil
}

// settingsForm edits the settings file. Its widgets are touched on the
// Fyne goroutine only.
type settingsForm struct {
	store settings.Store
	login StartAtLogin
	// loading stops the widgets' callbacks from saving while the form is
	// filled.
	loading bool

	copyFormat    *widget.RadioGroup
	clearAfter    *widget.Select
	notifications *widget.Check
	startAtLogin  *widget.Check
	status        *widget.Label
}

func newSettingsForm(store settings.Store, login StartAtLogin) *settingsForm {
	s := &settingsForm{store: store, login: login}
	var formats []string
	for _, f := range settings.CopyFormats {
		formats = append(formats, copyFormatLabels[f])
	}
	s.copyFormat = widget.NewRadioGroup(formats, func(string) { s.save() })
	s.copyFormat.Required = true
	var delays []string
	for _, d := range settings.ClearDelays {
		delays = append(delays, clearDelayLabel(d))
	}
	s.clearAfter = widget.NewSelect(delays, func(string) { s.save() })
	s.notifications = widget.NewCheck("Notify me when a refresh fails or the token expires", func(bool) { s.save() })
	s.startAtLogin = widget.NewCheck("Start Athos Token Tray when I log in", s.switchStartAtLogin)
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.load()
	return s
}

func (s *settingsForm) content() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Copy Bearer header copies", s.copyFormat),
		widget.NewFormItem("Clear the clipboard", s.clearAfter),
		widget.NewFormItem("", widget.NewLabel("The clipboard is cleared only if it still contains the copied text, "+
			"and also when the tray quits.")),
		widget.NewFormItem("Notifications", s.notifications),
		widget.NewFormItem("Start at login", s.startAtLogin),
	)
	return container.NewPadded(container.NewVBox(form, s.status))
}

// clearDelayLabel names a clearing delay, zero being never.
func clearDelayLabel(d time.Duration) string {
	switch {
	case d == 0:
		return "Never"
	case d < time.Minute:
		return fmt.Sprintf("After %d seconds", int(d.Seconds()))
	case d == time.Minute:
		return "After 1 minute"
	}
	return fmt.Sprintf("After %d minutes", int(d.Minutes()))
}

// load fills the form from the settings file. The start-at-login box
// shows whether a registration exists, which the user may have removed by
// hand.
func (s *settingsForm) load() {
	current, err := s.store.Load()
	if err != nil {
		s.status.SetText(upperFirst(err.Error()) + " The defaults are shown; a change saves them.")
	}
	s.loading = true
	defer func() { s.loading = false }()

	s.copyFormat.SetSelected(copyFormatLabels[current.CopyFormat])
	s.clearAfter.SetSelected(clearDelayLabel(current.ClearAfter()))
	s.notifications.SetChecked(current.Notifications)
	on := current.StartAtLogin
	if s.login.Enabled != nil {
		if registered, err := s.login.Enabled(); err == nil {
			on = registered
		}
	}
	s.startAtLogin.SetChecked(on)
}

// read returns the settings the form shows.
func (s *settingsForm) read() settings.Settings {
	current, _ := s.store.Load()
	for format, label := range copyFormatLabels {
		if label == s.copyFormat.Selected {
			current.CopyFormat = format
		}
	}
	for _, d := range settings.ClearDelays {
		if clearDelayLabel(d) == s.clearAfter.Selected {
			current.ClearClipboardSeconds = int(d.Seconds())
		}
	}
	current.Notifications = s.notifications.Checked
	current.StartAtLogin = s.startAtLogin.Checked
	return current
}

func (s *settingsForm) save() {
	if s.loading {
		return
	}
	if err := s.store.Save(s.read()); err != nil {
		s.status.SetText(upperFirst(err.Error()))
		return
	}
	s.status.SetText("Saved. The tray uses the new settings within a few seconds.")
}

// switchStartAtLogin registers or unregisters the tray, then saves the
// setting. A failed switch puts the box back.
func (s *settingsForm) switchStartAtLogin(on bool) {
	if s.loading {
		return
	}
	change, verb := s.login.Disable, "no longer starts"
	if on {
		change, verb = s.login.Enable, "starts"
	}
	if change == nil {
		s.status.SetText("Start at login is not supported on this system.")
		s.revertStartAtLogin(!on)
		return
	}
	if err := change(); err != nil {
		s.status.SetText(upperFirst(err.Error()))
		s.revertStartAtLogin(!on)
		return
	}
	if err := s.store.Save(s.read()); err != nil {
		s.status.SetText(upperFirst(err.Error()))
		return
	}
	s.status.SetText(fmt.Sprintf("Saved. Athos Token Tray %s at login (%s).", verb, s.login.Location))
}

func (s *settingsForm) revertStartAtLogin(on bool) {
	s.loading = true
	s.startAtLogin.SetChecked(on)
	s.loading = false
}
