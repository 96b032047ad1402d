//go:build e2e

// Package e2e runs the real athos-tray binary in a private desktop session
// made by scripts/desktop-session.sh: Xvfb, a D-Bus session bus and an
// unlocked gnome-keyring. The tests drive the binary the way a panel and a
// person would.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

const (
	clientID = "client"
	secret   = "secret"
	// basicHeader is base64("client:secret"), the example of the Athos
	// documentation.
	basicHeader = "Authorization: Basic Y2xpZW50OnNlY3JldA=="
	// startTimeout bounds how long the tray may take to appear and fetch.
	startTimeout = 20 * time.Second
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "athos-e2e-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "athos-tray")
	build := exec.Command("go", "build", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		os.Stderr.WriteString("e2e: build athos-tray: " + err.Error() + "\n")
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a process's output for checks after it ends.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is one emulator, one config folder and the commands around them.
type fixture struct {
	t         *testing.T
	emu       *emulator.Emulator
	baseURL   string
	configDir string
	// cacheDir is XDG_CACHE_HOME of every command, so that each test has
	// a tray log of its own.
	cacheDir string
	// secret is the client secret that the emulator accepts.
	secret string
	// env is added to the environment of every command.
	env    []string
	output *lockedBuffer
}

func newFixture(t *testing.T, cfg emulator.Config) *fixture {
	t.Helper()
	for _, name := range []string{"DISPLAY", "DBUS_SESSION_BUS_ADDRESS"} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s is not set; run the e2e tests through scripts/desktop-session.sh", name)
		}
	}

	cfg.ClientID = clientID
	if cfg.ClientSecret == "" {
		cfg.ClientSecret = secret
	}
	emu := emulator.New(cfg)
	baseURL, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })

	return &fixture{t: t, emu: emu, baseURL: baseURL, configDir: t.TempDir(), cacheDir: t.TempDir(),
		secret: cfg.ClientSecret, output: &lockedBuffer{}}
}

func (f *fixture) command(stdin string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "ATHOS_TRAY_CONFIG_DIR="+f.configDir, "XDG_CACHE_HOME="+f.cacheDir,
		"LANG=en_US.UTF-8")
	cmd.Env = append(cmd.Env, f.env...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout = f.output
	cmd.Stderr = f.output
	// A window process that outlives the tray keeps the output pipe open,
	// and Wait would wait for it without a limit.
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs a command to completion and returns its standard output.
func (f *fixture) run(stdin string, args ...string) string {
	f.t.Helper()
	var stdout bytes.Buffer
	cmd := f.command(stdin, args...)
	cmd.Stdout = &stdout // token and header print secrets here by design
	if err := cmd.Run(); err != nil {
		f.t.Fatalf("athos-tray %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(stdout.String())
}

func (f *fixture) addProfile(name string, extra ...string) {
	f.t.Helper()
	f.addProfileAt(name, f.baseURL, extra...)
}

// addProfileAt adds a profile whose API URL is baseURL.
func (f *fixture) addProfileAt(name, baseURL string, extra ...string) {
	f.t.Helper()
	args := append([]string{"profile", "add", name, "--client-id", clientID, "--api-url", baseURL}, extra...)
	f.run(f.secret+"\n", args...)
}

// startTray starts the tray and returns its menu once it registered.
func (f *fixture) startTray(s *shell, args ...string) (*trayItem, *exec.Cmd) {
	f.t.Helper()
	cmd := f.command("", append([]string{"tray"}, args...)...)
	if err := cmd.Start(); err != nil {
		f.t.Fatalf("start tray: %v", err)
	}
	f.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return s.waitForItem(startTimeout), cmd
}

// protectedStatus calls the emulator's protected endpoint with header.
func (f *fixture) protectedStatus(header string) int {
	f.t.Helper()
	return f.protectedStatusAt(f.baseURL, header)
}

// protectedStatusAt calls the protected endpoint of the emulator at
// baseURL with header.
func (f *fixture) protectedStatusAt(baseURL, header string) int {
	f.t.Helper()
	name, value, ok := strings.Cut(header, ": ")
	if !ok || name != "Authorization" {
		f.t.Fatalf("clipboard does not hold an Authorization header line")
	}
	req, err := http.NewRequest(http.MethodGet, baseURL+"/corp/me", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", value)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("call protected endpoint: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// assertNoSecrets checks that the tray's output, the error output of every
// command and the profile file contain no secret or token.
func (f *fixture) assertNoSecrets(tokens ...string) {
	f.t.Helper()
	out := f.output.String()
	for _, tok := range tokens {
		if tok != "" && strings.Contains(out, tok) {
			f.t.Errorf("program output contains a token")
		}
	}
	if strings.Contains(out, "Y2xpZW50OnNlY3JldA") {
		f.t.Errorf("program output contains the Basic credentials")
	}
	data, err := os.ReadFile(filepath.Join(f.configDir, "profiles.json"))
	if err != nil {
		f.t.Fatalf("read profile file: %v", err)
	}
	for _, tok := range append(tokens, f.secret, "Y2xpZW50OnNlY3JldA") {
		if tok != "" && bytes.Contains(data, []byte(`"`+tok+`"`)) {
			f.t.Errorf("profile file contains a secret or token")
		}
	}
}

// readClipboard returns the CLIPBOARD selection as xclip reads it.
func readClipboard(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("xclip", "-selection", "clipboard", "-o").Output()
	if err != nil {
		return ""
	}
	return string(out)
}

// clearClipboard puts a marker on the clipboard so that a copy is seen.
func clearClipboard(t *testing.T) {
	t.Helper()
	cmd := exec.Command("xclip", "-selection", "clipboard", "-i")
	cmd.Stdin = strings.NewReader("e2e-marker")
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -i: %v", err)
	}
}

// copyVia clicks label and returns the clipboard once it changed.
func copyVia(t *testing.T, item *trayItem, label, prefix string) string {
	t.Helper()
	clearClipboard(t)
	item.click(label)
	var got string
	waitFor(t, 10*time.Second, "clipboard after "+label, func() (bool, string) {
		got = readClipboard(t)
		return strings.HasPrefix(got, prefix), "clipboard starts with " + strings.SplitN(got, " ", 2)[0]
	})
	return got
}

// equals returns a matcher for the label want.
func equals(want string) func(string) bool {
	return func(s string) bool { return s == want }
}

// bearerToken returns the token of an "Authorization: Bearer" line.
func bearerToken(header string) string {
	return strings.TrimPrefix(header, "Authorization: Bearer ")
}

func hasPrefix(prefix string) func(string) bool {
	return func(s string) bool { return strings.HasPrefix(s, prefix) }
}

func TestTrayCopiesHeaders(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	f.addProfile("e2e")

	item, cmd := f.startTray(s)
	status := item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")
	if status != "Expires in 11h 59m" {
		t.Errorf("status line = %q, want %q for a new 12-hour token", status, "Expires in 11h 59m")
	}
	if got := item.layout().labels()[0]; got != "Profile: e2e" {
		t.Errorf("profile line = %q, want %q", got, "Profile: e2e")
	}
	if tip := item.tooltip(); !strings.Contains(tip, "e2e") || !strings.Contains(tip, "Token valid until") {
		t.Errorf("tooltip = %q, want the profile and expiry", tip)
	}

	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatus(bearer); code != http.StatusOK {
		t.Errorf("protected endpoint with the copied Bearer header = %d, want 200", code)
	}
	token := bearerToken(bearer)
	if got := f.run("", "token"); got != token {
		t.Errorf("'athos-tray token' differs from the copied token, want the server's cached token")
	}
	if got := f.run("", "header"); got != bearer {
		t.Errorf("'athos-tray header' differs from the copied header")
	}

	basic := copyVia(t, item, "Copy legacy Basic header", "Authorization: Basic ")
	if basic != basicHeader {
		t.Errorf("copied Basic header = %q, want %q", basic, basicHeader)
	}
	if code := f.protectedStatus(basic); code != http.StatusOK {
		t.Errorf("protected endpoint with the copied Basic header = %d, want 200", code)
	}
	if got := f.run("", "header", "--legacy"); got != basicHeader {
		t.Errorf("'athos-tray header --legacy' = %q, want %q", got, basicHeader)
	}

	issued := f.emu.Stats().TokensIssued
	item.click("Legacy Basic auth")
	item.waitForStatus(5*time.Second, equals("Legacy Basic auth: no token"), "legacy status")
	if e := item.entry("Legacy Basic auth"); !e.Toggled {
		t.Errorf("legacy item is not checked after the click")
	}
	if e := item.entry("Copy Bearer header"); e.Enabled {
		t.Errorf("Bearer item is enabled in legacy mode")
	}
	waitFor(t, 5*time.Second, "legacy flag in the profile file", func() (bool, string) {
		var config struct {
			Profiles []struct{ Legacy bool }
		}
		data, _ := os.ReadFile(filepath.Join(f.configDir, "profiles.json"))
		err := json.Unmarshal(data, &config)
		return err == nil && len(config.Profiles) == 1 && config.Profiles[0].Legacy, string(data)
	})
	if got := f.run("", "header"); got != basicHeader {
		t.Errorf("'athos-tray header' for a legacy profile = %q, want the Basic header", got)
	}
	basic = copyVia(t, item, "Copy legacy Basic header", "Authorization: Basic ")
	if basic != basicHeader {
		t.Errorf("Basic header copied in legacy mode = %q, want %q", basic, basicHeader)
	}

	item.click("Legacy Basic auth")
	item.waitForStatus(5*time.Second, hasPrefix("Expires in "), "countdown after legacy mode off")
	if got := f.emu.Stats().TokensIssued; got != issued {
		t.Errorf("tokens issued after legacy mode on and off = %d, want %d: the kept token is still valid", got, issued)
	}

	item.click("Refresh token now")
	item.waitForStatus(5*time.Second, equals("Token refreshed"), "refresh result")

	item.click("Quit")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("tray exit after Quit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("tray still running 10s after Quit")
	}

	f.assertNoSecrets(token)
}

func TestTrayRefreshesFiveMinutesBeforeExpiry(t *testing.T) {
	s := newShell(t)
	// Tokens live 5m15s, so the tray refreshes 15s after the first fetch.
	// The server hands out the cached token only while more than 5m10s
	// remain, so the refresh at 5m left gets a new one.
	f := newFixture(t, emulator.Config{Lifetime: 5*time.Minute + 15*time.Second, CacheThreshold: 5*time.Minute + 10*time.Second})
	// Without the check at add time, the tray's first token is a new one.
	f.addProfile("short", "--no-verify")

	item, _ := f.startTray(s)
	status := item.waitForStatus(startTimeout, hasPrefix("Expires in 5m "), "countdown of the short token")
	start := time.Now()
	issuedBefore := f.emu.Stats().TokensIssued
	first := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatus(first); code != http.StatusOK {
		t.Fatalf("protected endpoint with the first token = %d, want 200", code)
	}
	t.Logf("first status %q", status)

	// Under ten minutes the countdown changes every second. The tray must
	// change the item's label in place, keeping its id, so that an open
	// menu stays usable.
	before := item.statusEntry()
	var after menuEntry
	waitFor(t, 5*time.Second, "countdown tick", func() (bool, string) {
		after = item.statusEntry()
		return after.Label != before.Label, fmt.Sprintf("status %q", after.Label)
	})
	if after.ID != before.ID {
		t.Errorf("status item id changed from %d to %d on a countdown tick, want an in-place update", before.ID, after.ID)
	}

	waitFor(t, 40*time.Second, "automatic refresh", func() (bool, string) {
		issued := f.emu.Stats().TokensIssued
		return issued > issuedBefore, fmt.Sprintf("tokens issued: %d", issued)
	})
	elapsed := time.Since(start)
	if elapsed < 10*time.Second || elapsed > 30*time.Second {
		t.Errorf("refresh came %v after the first copy, want about 15s (5 minutes before a 5m15s expiry)", elapsed)
	}

	second := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if second == first {
		t.Fatalf("copied header did not change after the refresh")
	}
	if code := f.protectedStatus(second); code != http.StatusOK {
		t.Errorf("protected endpoint with the refreshed token = %d, want 200", code)
	}
	line := item.waitForStatus(5*time.Second, hasPrefix("Expires in "), "countdown after the refresh")
	if !strings.HasPrefix(line, "Expires in 5m ") && !strings.HasPrefix(line, "Expires in 4m ") {
		t.Errorf("status after refresh = %q, want a new countdown near 5m", line)
	}
	f.assertNoSecrets(bearerToken(first), bearerToken(second))
}

// startProfileTray starts a tray for a profile named "e2e" on an emulator
// with cfg, and waits for the countdown of its first token.
func startProfileTray(t *testing.T, cfg emulator.Config) (*shell, *fixture, *trayItem, *exec.Cmd) {
	t.Helper()
	s := newShell(t)
	f := newFixture(t, cfg)
	logOutputOnFailure(t, f)
	f.addProfile("e2e")
	item, cmd := f.startTray(s)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")
	return s, f, item, cmd
}
