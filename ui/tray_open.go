package ui

import (
	"encoding/json"
	"errors"
	"time"

	"fyne.io/systray"

	"github.com/athos-tray/athos-tray/internal/settings"
)

// quitClearTimeout bounds clearing the clipboard when the tray quits.
const quitClearTimeout = 3 * time.Second

// addWindowItems adds the menu items that open windows. The sandbox offers
// Add Athos credentials… but not Manage profiles…, and the tray leaves the
// sandbox once a profile is added.
func (t *tray) addWindowItems() {
	if t.opts.OpenWindow == nil {
		return
	}
	t.items.addCredentials = systray.AddMenuItem(LabelAddCredentials,
		"Enter the client id and secret of an Athos organisation")
	t.items.addCredentials.Hide()
	t.forward(t.items.addCredentials, func(t *tray) { t.openWindow(WindowRequest{Name: WindowCredentials}) })
	t.items.details = systray.AddMenuItem(LabelTokenDetails, "Scope, expiry and claims of the access token")
	t.forward(t.items.details, (*tray).openTokenDetails)
	t.items.manage = systray.AddMenuItem(LabelManageProfiles, "Add, edit, rename, duplicate or remove profiles")
	t.forward(t.items.manage, func(t *tray) { t.openWindow(WindowRequest{Name: WindowProfiles}) })
	if t.opts.Sandbox != nil {
		t.items.manage.Hide()
	}
	t.items.settings = systray.AddMenuItem(LabelSettings, "Copy format, clipboard clearing, notifications, start at login")
	t.forward(t.items.settings, func(t *tray) { t.openWindow(WindowRequest{Name: WindowSettings}) })
}

// showAddCredentials shows the Add Athos credentials item while no
// profile is configured.
func (t *tray) showAddCredentials(show bool) {
	switch item := t.items.addCredentials; {
	case item == nil:
	case show:
		item.Show()
	default:
		item.Hide()
	}
}

// openCredentialsOnFirstRun opens the credentials window by itself the
// first time the tray runs without a profile, and records in the settings
// file that it did, so that it happens once.
func (t *tray) openCredentialsOnFirstRun() {
	if t.opts.OpenWindow == nil || t.opts.Sandbox != nil || t.settings.CredentialsPrompted {
		return
	}
	t.settings.CredentialsPrompted = true
	store := t.settingsStore()
	t.write(func() {
		_, err := store.Update(func(s *settings.Settings) { s.CredentialsPrompted = true })
		if err != nil {
			t.log.Error("record first-run window failed", "err", err)
		}
	})
	t.log.Info("no profile configured; opening the credentials window")
	t.openWindow(WindowRequest{Name: WindowCredentials})
}

// openTokenDetails opens the token window for the valid token, which it
// receives through its standard input.
func (t *tray) openTokenDetails() {
	snap := t.manager.Snapshot()
	if !t.ready() || !snap.Token.Valid(time.Now()) {
		t.showFlash("No valid token to show yet")
		return
	}
	if t.windowsOpen[WindowToken] {
		return
	}
	details := NewTokenDetails(t.profile.Name, snap)
	line, err := detailsLine(details)
	if err != nil {
		t.log.Error("encode token details failed", "profile", t.profile.Name, "err", err)
		t.showFlash("Token details failed: see log")
		return
	}
	feed := &tokenFeed{updates: make(chan []byte, 1), sent: details}
	t.tokenFeed = feed
	t.openWindow(WindowRequest{
		Name:    WindowToken,
		Args:    []string{t.profile.Name},
		Input:   line,
		Updates: feed.updates,
	})
}

// tokenFeed is the stream of details to the open token window.
type tokenFeed struct {
	// updates has room for one line, and a newer line replaces one that
	// the window has not read yet.
	updates chan []byte
	// sent is the details the window shows now.
	sent   TokenDetails
	closed bool
}

// detailsLine encodes details as one line of the token window's input.
// It fails only for a time outside the years 0 to 9999. The error never
// contains the token.
func detailsLine(details TokenDetails) ([]byte, error) {
	data, err := json.Marshal(details)
	if err != nil {
		return nil, errors.New("encode token details: a time is outside the years 0 to 9999")
	}
	return append(data, '\n'), nil
}

// feedTokenWindow sends the open token window the current details when
// the token or its refresh time changed. After a switch to another
// profile it sends the new profile's details once the manager has a token
// for it, and the window follows that profile. It ends the stream when no
// profile is active or the active one uses legacy Basic authentication.
func (t *tray) feedTokenWindow() {
	feed := t.tokenFeed
	if feed == nil || feed.closed {
		return
	}
	if t.profile.Name == "" || t.profile.Legacy {
		// With no active profile, or one that uses Basic authentication,
		// no token will come, so the window reports that its details are
		// no longer updated.
		close(feed.updates)
		feed.closed = true
		return
	}

	snap := t.manager.Snapshot()
	// NOTE: until the new profile's first token arrives, the window keeps
	// showing the previous profile's details.
	if snap.Profile != t.profile.Name {
		return
	}
	details := NewTokenDetails(t.profile.Name, snap)
	if details.AccessToken == "" || sameDetails(details, feed.sent) {
		return
	}

	feed.sent = details
	line, err := detailsLine(details)
	if err != nil {
		t.log.Error("update token window failed", "profile", details.Profile, "err", err)
		return
	}

	select {
	case feed.updates <- line:
	default:
		select {
		case <-feed.updates: // drop the line the window has not read
		default:
		}
		feed.updates <- line
	}
}

// sameDetails reports whether a and b describe the same token with the
// same refresh time, so that the window needs no update.
func sameDetails(a, b TokenDetails) bool {
	return a.Profile == b.Profile && a.AccessToken == b.AccessToken &&
		a.ReceivedAt.Equal(b.ReceivedAt) && a.NextRefresh.Equal(b.NextRefresh)
}

// openWindow starts a window process unless one of the same name is still
// open, and reloads the profiles and settings when it ends.
func (t *tray) openWindow(req WindowRequest) {
	if t.opts.OpenWindow == nil || t.windowsOpen[req.Name] {
		return
	}
	t.windowsOpen[req.Name] = true
	t.log.Info("window opened", "window", req.Name)
	go func() {
		err := t.opts.OpenWindow(req)
		t.events <- func(t *tray) {
			t.log.Info("window closed", "window", req.Name)
			delete(t.windowsOpen, req.Name)
			if req.Name == WindowToken {
				t.tokenFeed = nil
			}
			if err != nil {
				t.log.Error("window failed", "window", req.Name, "err", err)
				t.showFlash("Window failed to open: see log")
			}
			t.checkSettings()
			switch {
			case t.opts.Sandbox != nil:
				t.leaveSandboxOnProfile()
			case req.Name != WindowToken && req.Name != WindowSettings:
				t.reload()
			}
		}
	}()
}

// leaveSandboxOnProfile switches from the sandbox to the active profile
// once the profile file has one, as after Add Athos credentials… in the
// sandbox. The sandbox emulator keeps running until the tray quits.
func (t *tray) leaveSandboxOnProfile() {
	stamp := statFile(t.opts.Store.Path)
	if stamp == t.configStat {
		return
	}
	t.configStat = stamp
	config, err := t.opts.Store.Load()
	if err != nil {
		t.log.Error("read profile file in the sandbox failed", "err", err)
		return
	}
	active, ok := config.ActiveProfile()
	if !ok {
		return
	}
	t.log.Info("profile configured; leaving the sandbox", "profile", active.Name)
	t.opts.Sandbox = nil
	if t.items.manage != nil {
		t.items.manage.Show()
	}
	t.appliedOK = false
	t.reload()
}

func (t *tray) settingsStore() settings.Store {
	return settings.StoreBeside(t.opts.Store.Path)
}

// loadSettings reads the settings file. An invalid file is logged and the
// previous settings, or the defaults, stay in use.
func (t *tray) loadSettings() {
	store := t.settingsStore()
	t.settingsStat = statFile(store.Path)
	loaded, err := store.Load()
	if err != nil {
		t.log.Error("read settings failed; keeping the current ones", "err", err)
		if t.settings == (settings.Settings{}) {
			t.settings = settings.Default()
			t.clearer.SetDelay(0)
		}
		return
	}
	t.settings = loaded
	t.clearer.SetDelay(loaded.ClearAfter())
}

// checkSettings reads the settings file again when it changed, as after a
// change in the settings window.
func (t *tray) checkSettings() {
	if stamp := statFile(t.settingsStore().Path); stamp != t.settingsStat {
		t.log.Info("settings file changed; reloading")
		t.loadSettings()
	}
}

// notificationsEnabled reports whether the user wants desktop
// notifications on refresh failure and expiry. It is read on the event
// loop.
func (t *tray) notificationsEnabled() bool {
	return t.settings.Notifications
}

// clearClipboardOnQuit clears the clipboard when a clear is pending and
// the clipboard still contains what the tray copied.
func (t *tray) clearClipboardOnQuit() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.copyMu.Lock()
		defer t.copyMu.Unlock()
		cleared, err := t.clearer.Flush()
		switch {
		case err != nil:
			t.log.Error("clear clipboard on quit failed", "err", err)
		case cleared:
			t.log.Info("clipboard cleared on quit")
		}
	}()
	select {
	case <-done:
	case <-time.After(quitClearTimeout):
		t.log.Error("clear clipboard on quit timed out", "timeout", quitClearTimeout)
	}
}

// copyFormatName names what a copy in format puts on the clipboard, for
// the status line.
func copyFormatName(format settings.CopyFormat) string {
	switch format {
	case settings.CopyHeaderValue:
		return "Bearer header value"
	case settings.CopyToken:
		return "token"
	}
	return "Bearer header"
}
