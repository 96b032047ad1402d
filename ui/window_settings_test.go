package ui

import (
	"errors"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/athos-tray/athos-tray/internal/settings"
)

// fakeLogin records start-at-login switches.
type fakeLogin struct {
	registered bool
	fail       error
}

func (f *fakeLogin) startAtLogin() StartAtLogin {
	return StartAtLogin{
		Enable: func() error {
			if f.fail != nil {
				return f.fail
			}
			f.registered = true
			return nil
		},
		Disable:  func() error { f.registered = false; return nil },
		Enabled:  func() (bool, error) { return f.registered, nil },
		Location: "/autostart/athos-tray.desktop",
	}
}

func newTestSettingsForm(t *testing.T, login *fakeLogin) (*settingsForm, settings.Store) {
	t.Helper()
	test.NewTempApp(t)
	store := settings.Store{Path: filepath.Join(t.TempDir(), settings.FileName)}
	s := newSettingsForm(store, login.startAtLogin())
	test.NewTempWindow(t, s.content())
	return s, store
}

func TestSettingsFormShowsDefaults(t *testing.T) {
	s, _ := newTestSettingsForm(t, &fakeLogin{})
	if s.copyFormat.Selected != copyFormatLabels[settings.CopyHeaderLine] || s.clearAfter.Selected != "Never" ||
		!s.notifications.Checked || s.startAtLogin.Checked {
		t.Errorf("form = format %q, clear %q, notifications %v, login %v; want the defaults",
			s.copyFormat.Selected, s.clearAfter.Selected, s.notifications.Checked, s.startAtLogin.Checked)
	}
	if s.status.Text != "" {
		t.Errorf("status = %q after opening, want empty", s.status.Text)
	}
}

func TestSettingsFormSavesChanges(t *testing.T) {
	s, store := newTestSettingsForm(t, &fakeLogin{})
	s.copyFormat.SetSelected(copyFormatLabels[settings.CopyToken])
	s.clearAfter.SetSelected("After 30 seconds")
	test.Tap(s.notifications)

	got, err := store.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := settings.Settings{CopyFormat: settings.CopyToken, ClearClipboardSeconds: 30}
	if got != want {
		t.Errorf("saved settings = %+v, want %+v", got, want)
	}
	wantStatus(t, s.status, "Saved.")
}

func TestSettingsFormDelayLabels(t *testing.T) {
	var labels []string
	for _, d := range settings.ClearDelays {
		labels = append(labels, clearDelayLabel(d))
	}
	want := []string{"Never", "After 30 seconds", "After 1 minute", "After 2 minutes", "After 5 minutes"}
	for i := range want {
		if labels[i] != want[i] {
			t.Errorf("delay label %d = %q, want %q", i, labels[i], want[i])
		}
	}
}

func TestSettingsFormStartAtLogin(t *testing.T) {
	login := &fakeLogin{}
	s, store := newTestSettingsForm(t, login)

	test.Tap(s.startAtLogin)
	if !login.registered {
		t.Fatal("ticking start at login did not register the tray")
	}
	wantStatus(t, s.status, "starts at login (/autostart/athos-tray.desktop)")
	if got, _ := store.Load(); !got.StartAtLogin {
		t.Errorf("startAtLogin not saved")
	}

	test.Tap(s.startAtLogin)
	if login.registered {
		t.Errorf("unticking start at login left the registration")
	}
	if got, _ := store.Load(); got.StartAtLogin {
		t.Errorf("startAtLogin still saved as on")
	}
}

func TestSettingsFormStartAtLoginFailureReverts(t *testing.T) {
	login := &fakeLogin{fail: errors.New("enable start at login: permission denied")}
	s, store := newTestSettingsForm(t, login)

	test.Tap(s.startAtLogin)
	if s.startAtLogin.Checked {
		t.Errorf("box ticked although registering failed")
	}
	wantStatus(t, s.status, "permission denied")
	if got, _ := store.Load(); got.StartAtLogin {
		t.Errorf("startAtLogin saved as on although registering failed")
	}
}
