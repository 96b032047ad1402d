package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/systray"

	"github.com/athos-tray/athos-tray/assets"
	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/internal/netwatch"
	"github.com/athos-tray/athos-tray/internal/notify"
	"github.com/athos-tray/athos-tray/internal/settings"
)

const (
	// renderInterval is how often the tray recomputes its labels. Items are
	// only updated when their text changes.
	renderInterval = time.Second
	// configCheckInterval is how often the tray looks for changes that the
	// command line made to the profile file.
	configCheckInterval = 2 * time.Second
	// flashDuration is how long a copy or refresh result replaces the
	// status line.
	flashDuration = 3 * time.Second
	// resumeGap is the wall-clock gap between two render ticks above which
	// the tray takes it that the computer slept.
	resumeGap = 5 * renderInterval
	// requestTimeout bounds a token request started from the menu.
	requestTimeout = 30 * time.Second
)

// SandboxProfile is a profile that exists only for one run of the tray,
// with its secret in memory instead of the keyring.
type SandboxProfile struct {
	Profile auth.Profile
	Secret  string
}

// Options configure the tray.
type Options struct {
	Store   auth.ConfigStore
	Secrets auth.SecretStore
	// Sandbox, when set, replaces the configured profiles.
	Sandbox   *SandboxProfile
	Clipboard Clipboard
	Logger    *slog.Logger
	// OpenWindow, when set, starts a window process and returns once it
	// has ended.
	OpenWindow func(req WindowRequest) error
	// Notifier, when set, shows desktop notifications when a refresh fails
	// with under 15 minutes left, when the token expires and when it
	// recovers, unless the Notifications setting is off. Nil turns
	// notifications off.
	Notifier notify.Sender
	// Show receives a value for each show request from another start of
	// the program.
	Show <-chan string
}

// WindowRequest describes one window process: 'athos-tray window Name
// Args...', with Input and then each value from Updates written to its
// standard input, which is a pipe. Both may contain a token, so they must
// never go into arguments, the environment or a file.
type WindowRequest struct {
	Name    string
	Args    []string
	Input   []byte
	Updates <-chan []byte
}

// Run shows the tray and blocks until Quit is chosen or ctx ends.
func Run(ctx context.Context, opts Options) error {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clipboard == nil {
		opts.Clipboard = SystemClipboard()
	}
	if err := checkTrayHost(opts.Logger); err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	t := newTray(ctx, opts)
	go func() {
		<-ctx.Done()
		systray.Quit()
	}()
	systray.Run(t.start, func() {
		t.clearClipboardOnQuit()
		opts.Logger.Info("tray stopped", "profile", t.manager.Snapshot().Profile)
		cancel()
	})
	return nil
}

// tray is the state of the running tray. Any goroutine may use the fields
// up to copyMu; the event loop goroutine alone owns the rest, and other
// goroutines reach it by sending events.
type tray struct {
	ctx     context.Context
	opts    Options
	log     *slog.Logger
	manager *auth.Manager
	margin  time.Duration
	events  chan event
	// writes runs profile-file changes one at a time, in click order.
	writes chan func()
	// apiURL is the loaded profile's API base URL, read by fetch on the
	// manager's goroutines.
	apiURL atomic.Pointer[string]
	// copyMu serialises clipboard writes, which start an xclip process
	// each on Linux.
	copyMu sync.Mutex

	items      menuItems
	profileSet []string
	// profileItems are the entries of the profile submenu.
	profileItems []*systray.MenuItem
	applied      View
	appliedOK    bool

	// profile and creds are what the manager was last given, and loaded
	// reports whether they belong to the active profile.
	profile auth.Profile
	creds   auth.Credentials
	loaded  bool
	// loading reports that a reload is under way, and switching names the
	// profile that the user picked until that reload has finished.
	loading   bool
	switching string
	loadErr   error
	loadSeq   int
	// loadStarted is when the running reload began, zero when none runs.
	loadStarted time.Time
	configStat  fileStamp

	// windowsOpen holds the names of the window processes started from
	// the menu that are still running.
	windowsOpen map[string]bool
	// tokenFeed sends updates to the open token window, nil when none is
	// open.
	tokenFeed *tokenFeed

	// settings are the preferences of settings.json, which settingsStat
	// identifies, and clearer empties the clipboard after a copy.
	settings     settings.Settings
	settingsStat fileStamp
	clearer      *clipboardClearer

	flash      string
	flashUntil time.Time

	// episodes decides which notifications a snapshot calls for.
	episodes notify.Episodes
}

type menuItems struct {
	profile, status, bearer, basic, refresh, legacy *systray.MenuItem
	addCredentials, details, manage, settings, quit *systray.MenuItem
}

// event is something the loop reacts to: a click or a finished task.
type event func(t *tray)

func newTray(ctx context.Context, opts Options) *tray {
	t := &tray{
		ctx:    ctx,
		opts:   opts,
		log:    opts.Logger,
		margin: auth.DefaultRefreshMargin,
		events: make(chan event, 32),
		writes: make(chan func(), 32),

		windowsOpen: map[string]bool{},
		clearer:     newClipboardClearer(opts.Clipboard),
	}
	t.loadSettings()
	t.apiURL.Store(new(string))
	t.manager = auth.NewManager(auth.ManagerConfig{
		Fetcher: fetcherFunc(t.fetch),
		Logger:  opts.Logger,
	})
	return t
}

// fetcherFunc adapts a function to auth.Fetcher.
type fetcherFunc func(ctx context.Context, creds auth.Credentials) (auth.Token, error)

func (f fetcherFunc) FetchToken(ctx context.Context, creds auth.Credentials) (auth.Token, error) {
	return f(ctx, creds)
}

// fetch sends the token request to the API URL of the loaded profile.
// A result for credentials of an earlier profile is discarded by the
// manager, so reading the URL separately is safe.
func (t *tray) fetch(ctx context.Context, creds auth.Credentials) (auth.Token, error) {
	apiURL := *t.apiURL.Load()
	if apiURL == "" {
		// Profile.BaseURL never returns "", so this is a programming error;
		// an empty URL must not fall back to the production host.
		return auth.Token{}, errors.New("fetch token: no profile loaded")
	}
	client := &auth.Client{APIURL: apiURL}
	return client.FetchToken(ctx, creds)
}

// start builds the menu and runs the event loop. systray calls it once
// the tray is ready.
func (t *tray) start() {
	systray.SetTitle("Athos Token Tray")
	systray.SetIcon(assets.TrayIcon(assets.StateIdle))

	t.items.profile = systray.AddMenuItem("Profile", "Active profile")
	t.items.status = systray.AddMenuItem("Starting…", "Time left on the access token")
	t.items.status.Disable()
	systray.AddSeparator()
	t.items.bearer = systray.AddMenuItem(LabelCopyBearer, "Copy 'Authorization: Bearer <token>' to the clipboard")
	t.items.basic = systray.AddMenuItem(LabelCopyBasic, "Copy 'Authorization: Basic <base64 id:secret>' to the clipboard")
	t.items.refresh = systray.AddMenuItem(LabelRefresh, "Request a token from the server now")
	t.items.legacy = systray.AddMenuItemCheckbox(LabelLegacy, "Use the legacy Basic header instead of a token", false)
	systray.AddSeparator()
	t.addWindowItems()
	t.items.quit = systray.AddMenuItem(LabelQuit, "Stop Athos Token Tray")

	t.forward(t.items.bearer, (*tray).copyBearer)
	t.forward(t.items.basic, (*tray).copyBasic)
	t.forward(t.items.refresh, (*tray).refresh)
	t.forward(t.items.legacy, (*tray).toggleLegacy)
	t.forward(t.items.quit, func(*tray) { systray.Quit() })
	if t.opts.Show != nil {
		go t.forwardShow()
	}

	go t.manager.Run(t.ctx)
	go t.watchNetwork()
	go t.runWrites()
	go t.loop()
	t.log.Info("tray started", "sandbox", t.opts.Sandbox != nil, "config", t.opts.Store.Path)
}

// watchNetwork wakes the manager when the network configuration changes,
// as when a laptop joins a network again after an outage or a resume, so
// that a due refresh or a retry waiting in backoff starts at once.
func (t *tray) watchNetwork() {
	err := netwatch.Watch(t.ctx, func() {
		t.log.Info("network changed; retrying a due refresh now", "profile", t.manager.Snapshot().Profile)
		t.manager.Wake()
	})
	if err != nil {
		t.log.Warn("network changes are not watched; retries follow their backoff", "err", err)
	}
}

// forward turns clicks on item into events. systray drops a click when
// no goroutine is receiving, so each item has its own receiving goroutine.
func (t *tray) forward(item *systray.MenuItem, handle event) {
	go func() {
		for range item.ClickedCh {
			select {
			case t.events <- handle:
			case <-t.ctx.Done():
				return
			}
		}
	}()
}

func (t *tray) loop() {
	render := time.NewTicker(renderInterval)
	defer render.Stop()
	configCheck := time.NewTicker(configCheckInterval)
	defer configCheck.Stop()

	// NOTE: fyne.io/systray v1.12.2 calls onReady while it is still
	// exporting the item's D-Bus properties, and a tooltip or icon set in
	// that window is lost until it changes again. Applying the whole view
	// again one and five seconds after start repairs it.
	resyncDelays := []time.Duration{time.Second, 4 * time.Second}
	resync := time.NewTimer(resyncDelays[0])
	defer resync.Stop()

	var lastTick time.Time
	t.reload()
	t.render()
	for {
		select {
		case <-t.ctx.Done():
			return
		case handle := <-t.events:
			handle(t)
		case <-t.manager.Changed():
		case tick := <-render.C:
			// The ticker's clock stops while the computer sleeps, so a
			// wall-clock gap between two ticks means it just woke up.
			if wall := tick.Round(0); !lastTick.IsZero() && wall.Sub(lastTick) > resumeGap {
				t.log.Info("computer woke up; checking the token now", "profile", t.profile.Name,
					"gap", wall.Sub(lastTick).Round(time.Second))
				t.manager.Wake()
			}
			lastTick = tick.Round(0)
		case <-configCheck.C:
			t.checkConfig()
		case <-resync.C:
			t.appliedOK = false
			if resyncDelays = resyncDelays[1:]; len(resyncDelays) > 0 {
				resync.Reset(resyncDelays[0])
			} else {
				// Start-up is over. Package initialisers, mostly Fyne's,
				// leave about 2 MB of garbage that a heap this small
				// would keep for minutes before its first GC, and
				// FreeOSMemory also returns the freed pages at once.
				debug.FreeOSMemory()
			}
		}
		t.render()
		t.feedTokenWindow()
	}
}

// render applies the current View, touching only what changed.
func (t *tray) render() {
	now := time.Now()
	if !t.flashUntil.IsZero() && now.After(t.flashUntil) {
		t.flash, t.flashUntil = "", time.Time{}
	}

	in := Input{
		Snapshot:      t.manager.Snapshot(),
		Profile:       t.profile.Name,
		Sandbox:       t.opts.Sandbox != nil,
		LoadErr:       t.loadErr,
		Loading:       t.loading && !t.ready(),
		LoadStarted:   t.loadStarted,
		Flash:         t.flash,
		RefreshMargin: t.margin,
	}
	if t.switching != "" {
		in.Profile, in.LoadErr = t.switching, nil
	}
	if !t.ready() {
		in.Snapshot = auth.Snapshot{}
	}
	t.checkNotifications(in.Snapshot, now)
	v := Render(in, now)

	old, first := t.applied, !t.appliedOK
	if first || v.Icon != old.Icon {
		systray.SetIcon(assets.TrayIcon(v.Icon))
	}
	if first || v.Tooltip != old.Tooltip {
		systray.SetTooltip(v.Tooltip)
	}
	if first || v.Profile != old.Profile {
		t.items.profile.SetTitle(menuText(v.Profile))
	}
	if first || v.Status != old.Status {
		t.items.status.SetTitle(v.Status)
	}
	setEnabled(t.items.bearer, v.BearerEnabled, first || v.BearerEnabled != old.BearerEnabled)
	setEnabled(t.items.basic, v.BasicEnabled, first || v.BasicEnabled != old.BasicEnabled)
	setEnabled(t.items.refresh, v.RefreshEnabled, first || v.RefreshEnabled != old.RefreshEnabled)
	setEnabled(t.items.legacy, v.LegacyEnabled, first || v.LegacyEnabled != old.LegacyEnabled)
	if t.items.details != nil {
		setEnabled(t.items.details, v.BearerEnabled, first || v.BearerEnabled != old.BearerEnabled)
	}
	if first || v.LegacyChecked != old.LegacyChecked {
		if v.LegacyChecked {
			t.items.legacy.Check()
		} else {
			t.items.legacy.Uncheck()
		}
	}
	t.applied, t.appliedOK = v, true
}

func setEnabled(item *systray.MenuItem, enabled, changed bool) {
	switch {
	case !changed:
	case enabled:
		item.Enable()
	default:
		item.Disable()
	}
}

func (t *tray) showFlash(message string) {
	t.flash = message
	t.flashUntil = time.Now().Add(flashDuration)
}

// copyBearer copies the Bearer header of a valid token. It waits for a
// token only when none is valid, and runs off the event loop.
func (t *tray) copyBearer() {
	if !t.ready() {
		return
	}
	format := t.settings.CopyFormat
	go func() {
		ctx, cancel := context.WithTimeout(t.ctx, requestTimeout)
		defer cancel()

		tok, err := t.manager.Token(ctx)
		if err != nil {
			t.report("copy Bearer header", err)
			return
		}
		t.copyHeader(copyFormatName(format), format.Format(tok.AccessToken))
	}()
}

// copyBasic copies the legacy Basic header built from the loaded
// credentials, so it needs no token.
func (t *tray) copyBasic() {
	if !t.ready() {
		return
	}
	value, err := auth.BasicHeader(t.creds)
	if err != nil {
		t.report("copy legacy Basic header", err)
		return
	}
	go t.copyHeader("legacy Basic header", "Authorization: "+value)
}

// copyHeader runs on its own goroutine and reports back to the loop.
func (t *tray) copyHeader(what, header string) {
	t.copyMu.Lock()
	err := copyText(t.opts.Clipboard, header, copyTimeout)
	if err == nil {
		t.clearer.Copied(header)
	}
	t.copyMu.Unlock()
	t.events <- func(t *tray) {
		if err != nil {
			t.log.Error("copy failed", "profile", t.profile.Name, "header", what, "err", err)
			t.showFlash("Copy failed: " + shortClipboardError(err))
			return
		}
		t.log.Info("header copied", "profile", t.profile.Name, "header", what)
		t.showFlash(upperFirst(what) + " copied")
	}
}

func shortClipboardError(err error) string {
	if errors.Is(err, ErrNoClipboardTool) {
		return "install xclip"
	}
	return "see log"
}

// refresh requests a new token, or reloads the profile when it could not
// be loaded, for example because the keyring was locked.
func (t *tray) refresh() {
	if t.switching != "" {
		t.showFlash("Still loading profile " + t.switching)
		return
	}
	if !t.loaded || t.loadErr != nil {
		t.reload()
		return
	}
	if t.profile.Legacy {
		t.showFlash("Legacy Basic auth is on: no token to refresh")
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(t.ctx, requestTimeout)
		defer cancel()
		_, err := t.manager.Refresh(ctx)
		if err != nil {
			t.report("refresh token", err)
			return
		}
		t.events <- func(t *tray) { t.showFlash("Token refreshed") }
	}()
}

// report logs a failed menu action and shows it briefly. It may run on any
// goroutine.
func (t *tray) report(action string, err error) {
	t.events <- func(t *tray) {
		t.log.Error(action+" failed", "profile", t.profile.Name, "err", err)
		t.showFlash(upperFirst(action) + " failed: " + Describe(err))
	}
}

// toggleLegacy switches legacy mode at once and stores the setting in the
// profile file afterwards, undoing the switch if the file cannot be
// written. In the sandbox the setting lives in memory only.
func (t *tray) toggleLegacy() {
	if !t.ready() {
		return
	}
	legacy := !t.profile.Legacy
	name := t.profile.Name
	t.applyLegacy(legacy)
	if t.opts.Sandbox != nil {
		return
	}

	t.write(func() {
		_, err := t.opts.Store.Update(func(c *auth.Config) error {
			p, ok := c.Find(name)
			if !ok {
				return fmt.Errorf("switch legacy Basic auth of profile %q: %w", name, auth.ErrProfileNotFound)
			}
			p.Legacy = legacy
			c.Put(p)
			return nil
		})
		t.events <- func(t *tray) {
			t.configStat = statFile(t.opts.Store.Path)
			if err == nil {
				return
			}
			t.log.Error("switch legacy basic auth failed", "profile", name, "err", err)
			t.showFlash("Could not save the setting: " + Describe(err))
			if t.profile.Name == name && t.profile.Legacy == legacy {
				t.applyLegacy(!legacy)
			}
		}
	})
}

// write queues a change of the profile file. Changes run in the order they
// were queued, so that two quick clicks end in the state of the second.
func (t *tray) write(change func()) {
	select {
	case t.writes <- change:
	case <-t.ctx.Done():
	}
}

func (t *tray) runWrites() {
	for {
		select {
		case change := <-t.writes:
			change()
		case <-t.ctx.Done():
			return
		}
	}
}

// ready reports whether the active profile is loaded and no switch to
// another one is under way, so that menu actions apply to what is shown.
func (t *tray) ready() bool {
	return t.loaded && t.switching == ""
}

// menuText escapes text for a menu label. The dbusmenu protocol used on
// Linux reads '_' as an access-key marker, and "__" as a literal '_'.
func menuText(text string) string {
	if runtime.GOOS != "linux" {
		return text
	}
	return strings.ReplaceAll(text, "_", "__")
}

func (t *tray) applyLegacy(legacy bool) {
	t.profile.Legacy = legacy
	t.manager.SetLegacy(legacy)
}

// upperFirst returns the ASCII string s with its first byte in upper case.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// fileStamp identifies one version of a file cheaply.
type fileStamp struct {
	modTime time.Time
	size    int64
	exists  bool
}

func statFile(path string) fileStamp {
	info, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{modTime: info.ModTime(), size: info.Size(), exists: true}
}

func (t *tray) checkConfig() {
	t.checkSettings()
	if t.opts.Sandbox != nil {
		t.leaveSandboxOnProfile()
		return
	}
	if stamp := statFile(t.opts.Store.Path); stamp != t.configStat {
		t.log.Info("profile file changed; reloading", "config", t.opts.Store.Path)
		t.reload()
	}
}
