package ui

import (
	"fmt"
	"slices"
	"time"

	"github.com/athos-tray/athos-tray/auth"
)

// loadResult is the active profile as read from the profile file and the
// keyring.
type loadResult struct {
	config  auth.Config
	profile auth.Profile
	creds   auth.Credentials
	err     error
}

// reload reads the profile file and the active profile's secret off the
// event loop, because a locked keyring can block for minutes.
func (t *tray) reload() {
	t.loading = true
	if t.loadStarted.IsZero() {
		t.loadStarted = time.Now()
	}
	t.loadSeq++
	seq := t.loadSeq
	t.configStat = statFile(t.opts.Store.Path)
	sandbox := t.opts.Sandbox

	go func() {
		result := t.loadActive(sandbox)
		t.events <- func(t *tray) {
			if seq == t.loadSeq {
				t.applyLoad(result)
			}
		}
	}()
}

func (t *tray) loadActive(sb *SandboxProfile) loadResult {
	if sb != nil {
		return loadResult{
			config:  auth.Config{Active: sb.Profile.Name, Profiles: []auth.Profile{sb.Profile}},
			profile: sb.Profile,
			creds:   auth.Credentials{ClientID: sb.Profile.ClientID, ClientSecret: sb.Secret},
		}
	}

	config, err := t.opts.Store.Load()
	if err != nil {
		return loadResult{err: err}
	}
	profile, ok := config.ActiveProfile()
	if !ok && config.MovedAside != nil {
		// A file that no longer parses must not unload a profile that
		// works, so it counts as a failed load.
		return loadResult{config: config, err: config.MovedAside}
	}
	if !ok {
		return loadResult{config: config}
	}
	if err := t.opts.Store.CheckProfile(profile); err != nil {
		return loadResult{config: config, profile: profile, err: err}
	}
	// NOTE: go-keyring v0.2.8 waits for an unlock prompt's answer on the
	// shared session-bus connection that fyne.io/systray also listens on,
	// and takes the first signal it receives as the answer. A tray host
	// restarting while a prompt is open can therefore end the read early
	// with "keyring locked"; Refresh token now reads the keyring again.
	secret, err := t.opts.Secrets.Get(profile.Name)
	if err != nil {
		return loadResult{config: config, profile: profile, err: err}
	}
	return loadResult{
		config:  config,
		profile: profile,
		creds:   auth.Credentials{ClientID: profile.ClientID, ClientSecret: secret},
	}
}

// applyLoad hands a loaded profile to the manager. A failed load never
// drops credentials that still work for the same profile, so a locked
// keyring or a broken profile file leaves a valid token in place.
func (t *tray) applyLoad(r loadResult) {
	t.loading, t.switching, t.loadStarted = false, "", time.Time{}
	if r.err == nil || r.profile.Name != "" {
		t.updateProfileMenu(r.config)
	}

	sameProfile := t.loaded && r.profile.Name == t.profile.Name
	switch {
	case r.err != nil && (sameProfile || (t.loaded && r.profile.Name == "")):
		t.log.Error("reload profile failed; keeping the loaded credentials", "profile", t.profile.Name, "err", r.err)
		t.showFlash("Reload failed: " + Describe(r.err))
		return
	case r.err != nil:
		t.log.Error("load profile failed", "profile", r.profile.Name, "err", r.err)
		t.profile, t.creds, t.loaded, t.loadErr = r.profile, auth.Credentials{}, false, r.err
		return
	case r.profile.Name == "":
		t.log.Warn("no profile configured; add one with 'athos-tray profile add'", "config", t.opts.Store.Path)
		t.profile, t.creds, t.loaded, t.loadErr = auth.Profile{}, auth.Credentials{}, false, nil
		if len(r.config.Profiles) == 0 {
			t.openCredentialsOnFirstRun()
		}
		return
	}

	t.loadErr = nil
	changed := !sameProfile ||
		r.profile.ClientID != t.profile.ClientID ||
		r.profile.BaseURL() != t.profile.BaseURL() ||
		r.creds != t.creds
	if changed {
		t.profile, t.creds, t.loaded = r.profile, r.creds, true
		apiURL := r.profile.BaseURL()
		t.apiURL.Store(&apiURL)
		t.manager.SetProfile(r.profile.Name, r.creds, r.profile.Legacy)
		return
	}
	if r.profile.Legacy != t.profile.Legacy {
		t.applyLegacy(r.profile.Legacy)
	}
}

// updateProfileMenu rebuilds the profile submenu when the list of profiles
// or the active one changed. Rebuilding gives the items new D-Bus ids, so
// it is kept to these moments.
func (t *tray) updateProfileMenu(config auth.Config) {
	active, _ := config.ActiveProfile()
	names := []string{"\x00" + active.Name}
	for _, p := range config.Profiles {
		names = append(names, p.Name)
	}
	if slices.Equal(names, t.profileSet) {
		return
	}
	t.profileSet = names

	for _, item := range t.profileItems {
		item.Remove()
	}
	t.profileItems = nil
	t.showAddCredentials(len(config.Profiles) == 0 || t.opts.Sandbox != nil)
	if t.opts.Sandbox != nil || len(config.Profiles) == 0 {
		t.items.profile.Disable()
		return
	}

	t.items.profile.Enable()
	for _, p := range config.Profiles {
		item := t.items.profile.AddSubMenuItemCheckbox(menuText(p.Name), "Make "+p.Name+" the active profile",
			p.Name == active.Name)
		name := p.Name
		t.forward(item, func(t *tray) { t.useProfile(name) })
		t.profileItems = append(t.profileItems, item)
	}
}

// useProfile makes name the active profile in the profile file. The
// reload that follows hands it to the manager.
func (t *tray) useProfile(name string) {
	if name == t.profile.Name && t.ready() {
		return
	}
	t.write(func() {
		_, err := t.opts.Store.Update(func(c *auth.Config) error {
			if _, ok := c.Find(name); !ok {
				return fmt.Errorf("switch to profile %q: %w", name, auth.ErrProfileNotFound)
			}
			c.Active = name
			return nil
		})
		t.events <- func(t *tray) {
			if err != nil {
				t.log.Error("switch profile failed", "profile", name, "err", err)
				t.showFlash("Switch failed: " + Describe(err))
				return
			}
			t.log.Info("profile switched", "profile", name)
			t.reload()
			t.switching = name
		}
	})
}

// forwardShow turns requests from later starts of the program into
// events that open a window.
func (t *tray) forwardShow() {
	for {
		select {
		case <-t.opts.Show:
		case <-t.ctx.Done():
			return
		}
		select {
		case t.events <- (*tray).show:
		case <-t.ctx.Done():
			return
		}
	}
}

// show handles a request from another start of the program: it opens the
// profile window, or the credentials window on the sandbox, and flashes a
// notice when there is no window to open or it is open already.
func (t *tray) show() {
	t.log.Info("another start asked the tray to show itself", "profile", t.profile.Name)
	name := WindowProfiles
	if t.opts.Sandbox != nil {
		name = WindowCredentials
	}
	switch {
	case t.opts.OpenWindow == nil:
		t.showFlash("Athos Token Tray is already running")
	case t.windowsOpen[name]:
		t.showFlash("Athos Token Tray is already running; its window is open")
	default:
		t.openWindow(WindowRequest{Name: name})
	}
}
