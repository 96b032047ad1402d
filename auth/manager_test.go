package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is an ElapsedClock whose wall time, running time and elapsed
// time tests move by hand. It serves one waiter: each After call replaces
// the previous timer, which matches Run, the only caller.
type fakeClock struct {
	mu      sync.Mutex
	wall    time.Time
	running time.Duration
	// elapsed is what Elapsed returns. It counts suspended time unless
	// uncountedSuspend is set, as Go's monotonic clock on macOS.
	elapsed          time.Duration
	uncountedSuspend bool
	timerAt          time.Duration
	timer            chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{wall: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.wall
		c.timer = nil
		return ch
	}
	c.timer = ch
	c.timerAt = c.running + d
	return ch
}

func (c *fakeClock) Elapsed() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.elapsed, !c.uncountedSuspend
}

// Advance moves every clock by d and reports whether the pending timer fired.
func (c *fakeClock) Advance(d time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.wall = c.wall.Add(d)
	c.running += d
	c.elapsed += d
	if c.timer != nil && c.running >= c.timerAt {
		c.timer <- c.wall
		c.timer = nil
		return true
	}
	return false
}

// Suspend moves the wall clock and, unless uncountedSuspend is set, the
// elapsed time, as a sleeping laptop does: Go timers do not count the time
// spent suspended.
func (c *fakeClock) Suspend(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
	if !c.uncountedSuspend {
		c.elapsed += d
	}
}

// SetWall moves only the wall clock, as setting the system time does.
func (c *fakeClock) SetWall(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
}

// Pending returns the running time left until the pending timer fires, and
// false when no timer is pending.
func (c *fakeClock) Pending() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.timer == nil {
		return 0, false
	}
	return c.timerAt - c.running, true
}

// fakeFetcher hands each request to the test, which replies on the
// request's reply channel.
type fakeFetcher struct {
	requests chan fetchRequest
	count    atomic.Int32
}

type fetchRequest struct {
	creds Credentials
	reply chan fetchReply
}

type fetchReply struct {
	token Token
	err   error
}

func (f *fakeFetcher) FetchToken(ctx context.Context, creds Credentials) (Token, error) {
	f.count.Add(1)
	req := fetchRequest{creds: creds, reply: make(chan fetchReply)}
	f.requests <- req
	r := <-req.reply
	return r.token, r.err
}

type harness struct {
	t       *testing.T
	clock   *fakeClock
	fetcher *fakeFetcher
	m       *Manager
	waits   chan time.Duration
}

func newHarness(t *testing.T) *harness {
	t.Helper()

	h := &harness{
		t:       t,
		clock:   newFakeClock(),
		fetcher: &fakeFetcher{requests: make(chan fetchRequest)},
	}
	h.m, h.waits = startManager(t, h.fetcher, h.clock)
	return h
}

// startManager starts Run on a Manager for profile "test" with a jitter
// factor of exactly 1. The channel receives each wait that Run reports
// while no request is under way, and must be read for Run to go on.
func startManager(t *testing.T, fetcher Fetcher, clock Clock) (*Manager, chan time.Duration) {
	t.Helper()

	waits := make(chan time.Duration)
	m := NewManager(ManagerConfig{
		Fetcher: fetcher,
		Clock:   clock,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Jitter:  func() float64 { return 0.5 }, // a spread factor of exactly 1
	})
	m.onWait = func(wait time.Duration, busy bool) {
		if !busy {
			waits <- wait
		}
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.Cleanup(func() {
		cancel()
		// Unblock Run if it is reporting a wait that no goroutine reads.
		for {
			select {
			case <-done:
				return
			case <-waits:
			}
		}
	})
	m.SetProfile("test", Credentials{ClientID: "client", ClientSecret: "secret"}, false)
	go func() {
		m.Run(ctx)
		close(done)
	}()
	return m, waits
}

// answer waits for the next token request and replies to it.
func (h *harness) answer(tok Token, err error) {
	h.t.Helper()
	req := <-h.fetcher.requests
	req.reply <- fetchReply{token: tok, err: err}
}

// settle returns the wait Run chose once no request is under way.
func (h *harness) settle() time.Duration {
	h.t.Helper()
	return <-h.waits
}

// token returns a token received now that lives for lifetime.
func (h *harness) token(value string, lifetime time.Duration) Token {
	return Token{AccessToken: value, ExpiresIn: lifetime, ReceivedAt: h.clock.Now()}
}

// advance moves time and, if Run's timer fired, waits until Run waits again.
func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	if h.clock.Advance(d) {
		h.settleOrRequest()
	}
}

// settleOrRequest waits until Run waits again or a request is sent; in the
// second case the request stays pending for the test to reply to.
func (h *harness) settleOrRequest() {
	h.t.Helper()
	select {
	case <-h.waits:
	case req := <-h.fetcher.requests:
		go func() { h.fetcher.requests <- req }()
	}
}

func TestManagerRefreshesFiveMinutesBeforeExpiry(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("first", 12*time.Hour), nil)
	h.settle()

	snap := h.m.Snapshot()
	wantNext := snap.Token.Expiry().Add(-5 * time.Minute)
	if !snap.NextAttempt.Equal(wantNext) {
		t.Fatalf("NextAttempt = %v, want %v", snap.NextAttempt, wantNext)
	}

	h.advance(12*time.Hour - 5*time.Minute - time.Second)
	if got := h.fetcher.count.Load(); got != 1 {
		t.Fatalf("requests one second before the refresh time = %d, want 1", got)
	}

	h.clock.Advance(time.Second)
	h.answer(h.token("second", 12*time.Hour), nil)
	h.settle()
	if got := h.m.Snapshot().Token.AccessToken; got != "second" {
		t.Errorf("token after refresh = %q, want %q", got, "second")
	}
	if got := h.fetcher.count.Load(); got != 2 {
		t.Errorf("requests = %d, want 2", got)
	}
}

func TestManagerTokenWithTwentyMinutesLeft(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("cached", 20*time.Minute), nil)
	h.settle()

	received := h.clock.Now()
	want := received.Add(15 * time.Minute)
	if got := h.m.Snapshot().NextAttempt; !got.Equal(want) {
		t.Fatalf("NextAttempt = %v, want %v (received + 20m - 5m)", got, want)
	}

	h.advance(15*time.Minute - time.Second)
	if got := h.fetcher.count.Load(); got != 1 {
		t.Fatalf("requests before the refresh time = %d, want 1", got)
	}
	h.clock.Advance(time.Second)
	h.answer(h.token("fresh", 12*time.Hour), nil)
	h.settle()
	if got := h.m.Snapshot().Token.AccessToken; got != "fresh" {
		t.Errorf("token = %q, want %q", got, "fresh")
	}
}

func TestManagerTokenShorterThanMargin(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("short", 4*time.Minute), nil)
	h.settle()

	want := h.clock.Now().Add(2 * time.Minute)
	if got := h.m.Snapshot().NextAttempt; !got.Equal(want) {
		t.Errorf("NextAttempt = %v, want %v (halfway through a lifetime under the margin)", got, want)
	}
}

func TestManagerTinyLifetimeNoLoop(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("one-second", time.Second), nil)
	h.settle()

	want := h.clock.Now().Add(10 * time.Second)
	if got := h.m.Snapshot().NextAttempt; !got.Equal(want) {
		t.Errorf("NextAttempt = %v for a 1s token, want %v (10s after it arrived)", got, want)
	}
	h.advance(9 * time.Second)
	if got := h.fetcher.count.Load(); got != 1 {
		t.Errorf("requests within 9s of a 1s token = %d, want 1", got)
	}
}

func TestManagerWakeFromSleepPastRefreshTime(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("before-sleep", 12*time.Hour), nil)
	wait := h.settle()
	if wait > DefaultCheckInterval {
		t.Fatalf("Run waits %v between wall-clock checks, want at most %v", wait, DefaultCheckInterval)
	}

	// The laptop sleeps through the refresh time and past expiry. Running
	// time does not advance, so only the next wall-clock check can notice.
	h.clock.Suspend(13 * time.Hour)
	if got := h.fetcher.count.Load(); got != 1 {
		t.Fatalf("requests during sleep = %d, want 1", got)
	}

	if !h.clock.Advance(DefaultCheckInterval) {
		t.Fatalf("Run's timer did not fire %v after waking", DefaultCheckInterval)
	}
	h.answer(h.token("after-wake", 12*time.Hour), nil)
	h.settle()

	if got := h.m.Snapshot().Token.AccessToken; got != "after-wake" {
		t.Errorf("token after waking = %q, want %q", got, "after-wake")
	}
}

func TestManagerRetriesWithCappedBackoff(t *testing.T) {
	h := newHarness(t)
	h.m.mu.Lock()
	h.m.retry[1] = time.Minute // so that the cap is reached before the kept token expires
	h.m.mu.Unlock()
	h.answer(h.token("kept", 12*time.Hour), nil)
	h.settle()
	h.advance(12*time.Hour - 5*time.Minute)

	serverDown := fmt.Errorf("fetch token: %w", &StatusError{StatusCode: 503})
	wantDelays := []time.Duration{
		5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second,
		time.Minute, time.Minute,
	}
	for i, want := range wantDelays {
		h.answer(Token{}, serverDown)
		h.settle()

		snap := h.m.Snapshot()
		if got := snap.NextAttempt.Sub(h.clock.Now()); got != want {
			t.Fatalf("delay after failure %d = %v, want %v", i+1, got, want)
		}
		if snap.Failures != i+1 {
			t.Errorf("Failures = %d, want %d", snap.Failures, i+1)
		}
		if !errors.Is(snap.Err, ErrServer) {
			t.Errorf("Err = %v, want ErrServer", snap.Err)
		}
		if got := snap.Token.AccessToken; got != "kept" {
			t.Fatalf("token after a failed refresh = %q, want the kept token", got)
		}
		if !h.clock.Advance(want) {
			t.Fatalf("Run's timer did not fire %v after failure %d", want, i+1)
		}
	}

	tok, err := h.m.Token(context.Background())
	if err != nil || tok.AccessToken != "kept" {
		t.Errorf("Token() while retrying = %q, %v; want the kept token", tok.AccessToken, err)
	}

	h.answer(h.token("recovered", 12*time.Hour), nil)
	h.settle()
	snap := h.m.Snapshot()
	if snap.Err != nil || snap.Failures != 0 {
		t.Errorf("after recovery Err = %v, Failures = %d; want nil, 0", snap.Err, snap.Failures)
	}
}

func TestManagerRetriesBeforeKeptTokenExpires(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("kept", 12*time.Hour), nil)
	h.settle()
	h.advance(12*time.Hour - 5*time.Minute)
	expiry := h.m.Snapshot().Token.Expiry()

	// Backoff alone would retry 5, 10, 20, 40, 80 and 160 seconds apart,
	// and the sixth retry would come 15 seconds after the expiry.
	offline := fmt.Errorf("fetch token: %w", ErrNetwork)
	var times []time.Time
	for i := range 6 {
		h.answer(Token{}, offline)
		h.settle()
		next := h.m.Snapshot().NextAttempt
		times = append(times, next)
		if i == 5 {
			break
		}
		if !h.clock.Advance(next.Sub(h.clock.Now())) {
			t.Fatalf("Run's timer did not fire at the retry time %v", next)
		}
	}
	last := times[len(times)-1]
	if want := expiry.Add(-lastRetryLead); !last.Equal(want) {
		t.Errorf("last retry before expiry at %v, want %v (%v before the expiry)", last, want, lastRetryLead)
	}
	for i, at := range times {
		if !at.Before(expiry) {
			t.Errorf("retry %d planned at %v, not before the expiry at %v", i+1, at, expiry)
		}
	}
	if got := h.fetcher.count.Load(); got != 7 {
		t.Errorf("requests = %d, want 7 (the first token and six attempts)", got)
	}

	// The last retry before the expiry fails too: the next comes at the
	// expiry, and once the token has expired the backoff starts again.
	wantAfter := []time.Duration{lastRetryLead, lastRetryLead + 5*time.Second, lastRetryLead + 15*time.Second}
	for i, want := range wantAfter {
		if !h.clock.Advance(h.m.Snapshot().NextAttempt.Sub(h.clock.Now())) {
			t.Fatalf("Run's timer did not fire for retry %d", 7+i)
		}
		h.answer(Token{}, offline)
		h.settle()
		if got := h.m.Snapshot().NextAttempt.Sub(expiry.Add(-lastRetryLead)); got != want {
			t.Errorf("retry %d planned %v after the last retry before the expiry, want %v", 8+i, got, want)
		}
	}
}

func TestManagerBackoffJitterAndRetryAfter(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		jitter   float64
		err      error
		want     time.Duration
	}{
		{"first low jitter", 1, 0, errors.New("x"), 4 * time.Second},
		{"first high jitter", 1, 0.75, errors.New("x"), 5500 * time.Millisecond},
		{"capped", 20, 0.5, errors.New("x"), 5 * time.Minute},
		{"retry after wins", 1, 0.5, &StatusError{StatusCode: 429, RetryAfter: time.Minute}, time.Minute},
		{"retry after capped", 1, 0.5, &StatusError{StatusCode: 429, RetryAfter: time.Hour}, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewManager(ManagerConfig{Jitter: func() float64 { return tt.jitter }})
			m.failures = tt.failures
			if got := m.backoff(tt.err); got != tt.want {
				t.Errorf("backoff = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestManagerStopsAfterRejection(t *testing.T) {
	h := newHarness(t)
	rejected := fmt.Errorf("fetch token: %w", &StatusError{StatusCode: 401})
	h.answer(Token{}, rejected)
	h.settle()

	snap := h.m.Snapshot()
	if !snap.Rejected() {
		t.Fatalf("Rejected() = false after 401, Err = %v", snap.Err)
	}
	if !snap.NextAttempt.IsZero() {
		t.Errorf("NextAttempt = %v after rejection, want none", snap.NextAttempt)
	}

	for range 10 {
		h.advance(time.Hour)
	}
	if got := h.fetcher.count.Load(); got != 1 {
		t.Fatalf("requests ten hours after rejection = %d, want 1", got)
	}

	go h.answer(h.token("fixed", 12*time.Hour), nil)
	tok, err := h.m.Refresh(context.Background())
	if err != nil || tok.AccessToken != "fixed" {
		t.Fatalf("Refresh after rejection = %q, %v; want the new token", tok.AccessToken, err)
	}
	if h.m.Snapshot().Rejected() {
		t.Errorf("Rejected() still true after a successful refresh")
	}
}

func TestManagerLegacyModeFetchesNothing(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("bearer", 12*time.Hour), nil)
	h.settle()

	h.m.SetLegacy(true)
	h.settle()
	if _, err := h.m.Token(context.Background()); !errors.Is(err, ErrLegacyMode) {
		t.Errorf("Token() in legacy mode error = %v, want ErrLegacyMode", err)
	}
	for range 20 {
		h.advance(time.Hour)
	}
	if got := h.fetcher.count.Load(); got != 1 {
		t.Fatalf("requests in legacy mode = %d, want 1 (from before it was on)", got)
	}

	h.m.SetLegacy(false)
	h.answer(h.token("back", 12*time.Hour), nil)
	h.settle()
	if got := h.m.Snapshot().Token.AccessToken; got != "back" {
		t.Errorf("token after legacy mode off = %q, want %q", got, "back")
	}
}

func TestManagerDiscardsResultOfPreviousProfile(t *testing.T) {
	h := newHarness(t)
	req := <-h.fetcher.requests

	h.m.SetProfile("other", Credentials{ClientID: "other", ClientSecret: "s"}, false)
	req.reply <- fetchReply{token: h.token("for-test", 12*time.Hour)}

	next := <-h.fetcher.requests
	if next.creds.ClientID != "other" {
		t.Fatalf("request after profile switch used client %q, want %q", next.creds.ClientID, "other")
	}
	next.reply <- fetchReply{token: h.token("for-other", 12*time.Hour)}
	h.settle()

	snap := h.m.Snapshot()
	if snap.Profile != "other" || snap.Token.AccessToken != "for-other" {
		t.Errorf("snapshot = %q/%q, want other/for-other", snap.Profile, snap.Token.AccessToken)
	}
}

func TestManagerConcurrentCallersShareOneRequest(t *testing.T) {
	var requests atomic.Int32
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		arrived <- struct{}{}
		<-release
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"accessToken":"eyShared","expiresIn":43200,"scope":"read:corp"}`)
	}))
	defer srv.Close()

	m := NewManager(ManagerConfig{
		Fetcher: &Client{APIURL: srv.URL},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	m.SetProfile("shared", Credentials{ClientID: "client", ClientSecret: "secret"}, false)

	const callers = 20
	results := make(chan string, callers)
	call := func(i int) {
		var tok Token
		var err error
		if i%2 == 0 {
			tok, err = m.Refresh(context.Background())
		} else {
			tok, err = m.Token(context.Background())
		}
		if err != nil {
			results <- "error: " + err.Error()
			return
		}
		results <- tok.AccessToken
	}

	var wg sync.WaitGroup
	wg.Add(callers)
	go func() { defer wg.Done(); call(0) }()
	<-arrived
	for i := 1; i < callers; i++ {
		go func() { defer wg.Done(); call(i) }()
	}
	for joined := 0; joined < callers-1; {
		runtime.Gosched()
		m.mu.Lock()
		joined = m.flight.joined
		m.mu.Unlock()
	}
	close(release)
	wg.Wait()
	close(results)

	for got := range results {
		if got != "eyShared" {
			t.Errorf("caller got %q, want %q", got, "eyShared")
		}
	}
	if got := requests.Load(); got != 1 {
		t.Errorf("HTTP requests = %d, want 1 for %d concurrent callers", got, callers)
	}
}

func TestManagerCallerCancelKeepsRequest(t *testing.T) {
	h := newHarness(t)
	req := <-h.fetcher.requests

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.m.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Token() with cancelled context error = %v, want context.Canceled", err)
	}

	req.reply <- fetchReply{token: h.token("still-arrives", 12*time.Hour)}
	h.settle()
	if got := h.m.Snapshot().Token.AccessToken; got != "still-arrives" {
		t.Errorf("token = %q, want the shared request's result", got)
	}
}

func TestManagerLegacyDuringRequest(t *testing.T) {
	h := newHarness(t)
	req := <-h.fetcher.requests

	h.m.SetLegacy(true)
	req.reply <- fetchReply{token: h.token("late", 12*time.Hour)}
	h.settle()

	if next := h.m.Snapshot().NextAttempt; !next.IsZero() {
		t.Errorf("NextAttempt = %v after a request finished in legacy mode, want none", next)
	}
	for range 5 {
		h.advance(13 * time.Hour)
	}
	if got := h.fetcher.count.Load(); got != 1 {
		t.Errorf("requests in legacy mode = %d, want 1", got)
	}
}

func TestClockSkew(t *testing.T) {
	received := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tok := Token{AccessToken: "x", ExpiresIn: time.Hour, ReceivedAt: received}
	if got := ClockSkew(tok); got != 0 {
		t.Errorf("ClockSkew without expiresAt = %v, want 0", got)
	}
	tok.ServerExpiresAt = received.Add(time.Hour - 3*time.Minute)
	if got := ClockSkew(tok); got != 3*time.Minute {
		t.Errorf("ClockSkew = %v, want 3m (local clock ahead)", got)
	}
}

func TestManagerRefreshFailureKeepsToken(t *testing.T) {
	h := newHarness(t)
	h.answer(h.token("kept", 12*time.Hour), nil)
	h.settle()

	go h.answer(Token{}, fmt.Errorf("fetch token: %w", &StatusError{StatusCode: 500}))
	tok, err := h.m.Refresh(context.Background())
	if !errors.Is(err, ErrServer) {
		t.Errorf("Refresh error = %v, want ErrServer", err)
	}
	if tok.AccessToken != "kept" {
		t.Errorf("Refresh token = %q, want the kept token alongside the error", tok.AccessToken)
	}
	if got, err := h.m.Token(context.Background()); err != nil || got.AccessToken != "kept" {
		t.Errorf("Token() after a failed refresh = %q, %v; want the kept token", got.AccessToken, err)
	}
}
