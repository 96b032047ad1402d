//go:build e2e

package e2e

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// front is an HTTP server in front of an emulator that the tests can stop,
// start again on the same port, and slow down. The emulator's own failure
// modes cover the responses; front covers what happens below them.
type front struct {
	t    *testing.T
	emu  *emulator.Emulator
	addr string

	mu     sync.Mutex // guards delay and server
	delay  time.Duration
	server *http.Server
}

func newFront(t *testing.T, emu *emulator.Emulator) *front {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for the front server: %v", err)
	}
	f := &front{t: t, emu: emu, addr: listener.Addr().String()}
	f.serve(listener)
	t.Cleanup(f.stop)
	return f
}

func (f *front) url() string {
	return "http://" + f.addr
}

func (f *front) serve(listener net.Listener) {
	server := &http.Server{Handler: http.HandlerFunc(f.handle)}
	f.mu.Lock()
	f.server = server
	f.mu.Unlock()
	go server.Serve(listener)
}

func (f *front) handle(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	delay := f.delay
	f.mu.Unlock()
	select {
	case <-time.After(delay):
	case <-r.Context().Done():
		return
	}
	f.emu.ServeHTTP(w, r)
}

// stop closes the listener and every connection, so that new requests get
// "connection refused".
func (f *front) stop() {
	f.mu.Lock()
	server := f.server
	f.server = nil
	f.mu.Unlock()
	if server != nil {
		server.Close()
	}
}

// start listens on the same port again.
func (f *front) start() {
	f.t.Helper()
	var listener net.Listener
	var err error
	// The port was just released, and another process may race for it.
	for range 50 {
		if listener, err = net.Listen("tcp", f.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		f.t.Fatalf("listen on %s again: %v", f.addr, err)
	}
	f.serve(listener)
}

func (f *front) setDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// logPath returns the tray's log file under the fixture's cache folder.
func (f *fixture) logPath() string {
	return filepath.Join(f.cacheDir, "athos-token-tray", "tray.log")
}

// trayLog returns the tray's log file.
func (f *fixture) trayLog() string {
	f.t.Helper()
	data, err := os.ReadFile(f.logPath())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		f.t.Fatalf("read the tray log: %v", err)
	}
	return string(data)
}

// requestStartPattern matches the log line of each token request and
// captures its time.
var requestStartPattern = regexp.MustCompile(`time=(\S+) level=INFO msg="token request started" profile=(\S+)`)

// requestTimes returns the times at which the tray started token requests
// for profile, read from its log file.
func (f *fixture) requestTimes(profile string) []time.Time {
	f.t.Helper()
	var times []time.Time
	for _, m := range requestStartPattern.FindAllStringSubmatch(f.trayLog(), -1) {
		if m[2] != profile {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, m[1])
		if err != nil {
			f.t.Fatalf("log line time %q: %v", m[1], err)
		}
		times = append(times, at)
	}
	return times
}

// startFaultTray adds profile "e2e" pointing at a front server, starts
// the tray, waits for its first token, and copies it.
func startFaultTray(t *testing.T, cfg emulator.Config) (*fixture, *front, *trayItem, string) {
	t.Helper()
	s := newShell(t)
	f := newFixture(t, cfg)
	logOutputOnFailure(t, f)
	fr := newFront(t, f.emu)
	f.addProfileAt("e2e", fr.url())

	item, _ := f.startTray(s)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")
	header := copyBearerHeader(t, item)
	f.assertValidHeader(header)
	return f, fr, item, header
}

// assertValidHeader checks header against the emulator itself, which
// stays up while the front server is down.
func (f *fixture) assertValidHeader(header string) {
	f.t.Helper()
	if code := f.protectedStatusAt(f.baseURL, header); code != http.StatusOK {
		f.t.Errorf("protected endpoint with the copied header = %d, want 200", code)
	}
}

// clean matches a countdown without any problem appended.
func clean(line string) bool {
	return strings.HasPrefix(line, "Expires in ") && !strings.Contains(line, "·")
}

func TestTrayRecoversAfterServerOutage(t *testing.T) {
	f, fr, item, first := startFaultTray(t, emulator.Config{})
	before := f.emu.Stats().TokenRequests
	attemptsBefore := len(f.requestTimes("e2e"))

	fr.stop()
	down := time.Now()
	item.click("Refresh token now")
	line := item.waitForStatus(15*time.Second, hasPrefix("Offline, retrying in "), "offline status")
	if !strings.Contains(line, " · expires in 11h ") {
		t.Errorf("status = %q, want the time left on the kept token after the offline note", line)
	}
	if tip := item.tooltip(); !strings.Contains(tip, "Offline") || !strings.Contains(tip, "Token still valid until") {
		t.Errorf("tooltip = %q, want the outage and the kept token's expiry", tip)
	}
	if e := item.entry("Copy Bearer header"); !e.Enabled {
		t.Errorf("Bearer item disabled while the kept token is valid")
	}
	kept := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if kept != first {
		t.Errorf("copied header changed during the outage, want the kept token")
	}
	f.assertValidHeader(kept)

	// Let the manager retry twice: 5s and 10s after the first failure,
	// each ±20 %.
	waitFor(t, 40*time.Second, "two retries during the outage", func() (bool, string) {
		n := len(f.requestTimes("e2e")) - attemptsBefore
		return n >= 3, fmt.Sprintf("%d requests since the outage began", n)
	})
	outage := time.Since(down)
	attempts := f.requestTimes("e2e")[attemptsBefore:]
	for i := 1; i < len(attempts); i++ {
		if gap := attempts[i].Sub(attempts[i-1]); gap < 3500*time.Millisecond {
			t.Errorf("request %d came %v after the previous one, want at least 4s of backoff", i, gap)
		}
	}
	// The manual request and retries after 5s, 10s and 20s fit in any
	// outage shorter than 42s.
	if maxRequests := 4; len(attempts) > maxRequests && outage < 42*time.Second {
		t.Errorf("%d requests in a %v outage, want at most %d", len(attempts), outage.Round(time.Second), maxRequests)
	}
	if got := f.emu.Stats().TokenRequests; got != before {
		t.Errorf("emulator saw %d token requests during the outage, want %d", got, before)
	}

	fr.start()
	item.waitForStatus(60*time.Second, clean, "countdown after the server came back")
	if got := f.emu.Stats().TokenRequests; got != before+1 {
		t.Errorf("emulator saw %d token requests after recovery, want %d: one successful retry", got, before+1)
	}
	recovered := copyBearerHeader(t, item)
	f.assertValidHeader(recovered)
	t.Logf("outage of %v took %d requests", outage.Round(time.Second), len(attempts))
	f.assertNoSecrets(bearerToken(first), bearerToken(recovered))
}

func TestTrayServerErrorThenGarbageThenValid(t *testing.T) {
	f, _, item, first := startFaultTray(t, emulator.Config{})
	before := f.emu.Stats().TokenRequests

	f.emu.SetFailure(emulator.FailServerError)
	item.click("Refresh token now")
	item.waitForStatus(15*time.Second, hasPrefix("Server error 500, retrying in "), "server error status")
	if got := f.emu.Stats().TokenRequests; got != before+1 {
		t.Errorf("token requests after the 500 = %d, want %d", got, before+1)
	}

	// The next retry comes about 5s later and gets garbage.
	f.emu.SetFailure(emulator.FailMalformed)
	item.waitForStatus(20*time.Second, hasPrefix("Bad server response, retrying in "), "garbage status")
	if got := f.emu.Stats().TokenRequests; got != before+2 {
		t.Errorf("token requests after the garbage = %d, want %d", got, before+2)
	}
	kept := copyBearerHeader(t, item)
	if kept != first {
		t.Errorf("copied header changed after a garbage response, want the kept token")
	}
	f.assertValidHeader(kept)
	if out := f.output.String() + f.trayLog(); strings.Contains(out, "502 Bad Gateway") {
		t.Errorf("tray output repeats the garbage response body")
	}

	// The retry after about 10s more gets a token.
	f.emu.SetFailure(emulator.FailNone)
	item.waitForStatus(30*time.Second, clean, "countdown after a valid response")
	if got := f.emu.Stats().TokenRequests; got != before+3 {
		t.Errorf("token requests after recovery = %d, want %d", got, before+3)
	}
	recovered := copyBearerHeader(t, item)
	f.assertValidHeader(recovered)
	f.assertNoSecrets(bearerToken(first), bearerToken(recovered))
}

func TestTrayRejectedDuringRefresh(t *testing.T) {
	f, _, item, first := startFaultTray(t, emulator.Config{})
	before := f.emu.Stats().TokenRequests

	f.emu.SetFailure(emulator.FailReject)
	item.click("Refresh token now")
	line := item.waitForStatus(15*time.Second, hasPrefix("Credentials rejected · expires in "), "rejection status")
	if tip := item.tooltip(); !strings.Contains(tip, "To retry, update the secret") {
		t.Errorf("tooltip = %q, want how to retry", tip)
	}
	// This wait shows that nothing happens: the first retry after another
	// failure comes 5s ±20% later.
	time.Sleep(7 * time.Second)
	if got := f.emu.Stats().TokenRequests; got != before+1 {
		t.Errorf("token requests after the rejection = %d, want %d: no automatic retry", got, before+1)
	}
	if line = item.statusLine(); !strings.HasPrefix(line, "Credentials rejected") {
		t.Errorf("status = %q after the wait, want it to start with %q", line, "Credentials rejected")
	}
	kept := copyBearerHeader(t, item)
	if kept != first {
		t.Errorf("copied header changed after the rejection, want the kept token")
	}
	f.assertValidHeader(kept)
	if active, _ := activeProfile(t, f); active != "e2e" {
		t.Errorf("active profile after a rejected refresh = %q, want e2e kept", active)
	}

	f.emu.SetFailure(emulator.FailNone)
	item.click("Refresh token now")
	item.waitForStatus(15*time.Second, clean, "countdown after a manual retry")
	if got := f.emu.Stats().TokenRequests; got != before+2 {
		t.Errorf("token requests after the manual retry = %d, want %d", got, before+2)
	}
	f.assertNoSecrets(bearerToken(first))
}

func TestTraySlowServer(t *testing.T) {
	f, fr, item, first := startFaultTray(t, emulator.Config{})
	before := f.emu.Stats().TokenRequests

	// Slow, but within the client's 15s timeout.
	fr.setDelay(5 * time.Second)
	item.click("Refresh token now")
	item.waitForStatus(4*time.Second, hasSuffix(" · refreshing…"), "refreshing status")
	item.click("Refresh token now")
	kept := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if kept != first {
		t.Errorf("copy during a slow refresh gave another header, want the kept token")
	}
	f.assertValidHeader(kept)
	item.waitForStatus(15*time.Second, equals("Token refreshed"), "slow refresh result")
	if got := f.emu.Stats().TokenRequests; got != before+1 {
		t.Errorf("token requests after two clicks on a slow server = %d, want %d: one shared request", got, before+1)
	}

	// Slower than the timeout: the request fails, the token stays.
	f.emu.SetFailure(emulator.FailHang)
	fr.setDelay(0)
	item.click("Refresh token now")
	item.waitForStatus(30*time.Second, hasPrefix("Offline, retrying in "), "status after a timeout")
	if got := f.emu.Stats().TokenRequests; got != before+2 {
		t.Errorf("token requests after the timeout = %d, want %d", got, before+2)
	}
	kept = copyBearerHeader(t, item)
	if kept != first {
		t.Errorf("copied header changed after a timeout, want the kept token")
	}

	f.emu.SetFailure(emulator.FailNone)
	item.waitForStatus(30*time.Second, clean, "countdown after the server answered again")
	if got := f.emu.Stats().TokenRequests; got != before+3 {
		t.Errorf("token requests after recovery = %d, want %d", got, before+3)
	}
	f.assertNoSecrets(bearerToken(first))
}

func hasSuffix(suffix string) func(string) bool {
	return func(s string) bool { return strings.HasSuffix(s, suffix) }
}

func TestTrayHonoursRetryAfter(t *testing.T) {
	f, _, item, first := startFaultTray(t, emulator.Config{})
	before := f.emu.Stats().TokenRequests

	// The emulator's rate-limit mode sends "Retry-After: 30", longer than
	// the first 5s backoff step.
	f.emu.SetFailure(emulator.FailRateLimit)
	item.click("Refresh token now")
	line := item.waitForStatus(15*time.Second, hasPrefix("Server busy (429), retrying in "), "rate-limit status")
	wait, err := time.ParseDuration(strings.Fields(strings.TrimPrefix(line, "Server busy (429), retrying in "))[0])
	if err != nil || wait < 20*time.Second {
		t.Errorf("status = %q, want a retry about 30s away as Retry-After asks", line)
	}
	kept := copyBearerHeader(t, item)
	if kept != first {
		t.Errorf("copied header changed while rate-limited, want the kept token")
	}
	f.assertValidHeader(kept)

	f.emu.SetFailure(emulator.FailNone)
	item.click("Refresh token now")
	item.waitForStatus(15*time.Second, clean, "countdown after a manual retry")
	if got := f.emu.Stats().TokenRequests; got != before+2 {
		t.Errorf("token requests = %d, want %d: the rate-limited one and the manual retry", got, before+2)
	}
}

func TestTrayReportsClockSkew(t *testing.T) {
	// The server's clock runs 7 minutes ahead, so the local clock is 7
	// minutes behind it.
	f, _, item, _ := startFaultTray(t, emulator.Config{Now: func() time.Time { return time.Now().Add(7 * time.Minute) }})

	line := item.waitForStatus(10*time.Second, hasPrefix("Expires in "), "countdown after the copy result")
	if !strings.HasPrefix(line, "Expires in 11h 59m · clock 7m ") || !strings.HasSuffix(line, "s behind") {
		t.Errorf("status = %q, want the countdown from expiresIn and the clock 7m behind", line)
	}
	if tip := item.tooltip(); !strings.Contains(tip, "Local clock is 7m ") || !strings.Contains(tip, "behind the server") {
		t.Errorf("tooltip = %q, want the clock skew", tip)
	}
	status := f.run("", "status")
	if !strings.Contains(status, "Clock:     Local clock is 7m ") {
		t.Errorf("'athos-tray status' = %q, want a Clock line with the skew", status)
	}
	if !strings.Contains(f.trayLog(), "local clock differs from the server's") {
		t.Errorf("tray log does not record the clock skew")
	}
}
