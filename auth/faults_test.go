package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// failure is a way a token request fails before any HTTP response.
type failure int

const (
	respond failure = iota // the scripted server sends a response
	refused                // a port on 127.0.0.1 refuses the connection
	noHost                 // the host name does not resolve
	badTLS                 // the TLS handshake fails
)

// reply is one scripted outcome of a token request.
type reply struct {
	failure failure
	// handler writes the response when failure is respond. It gets the
	// time of the fake clock.
	handler func(w http.ResponseWriter, now time.Time)
}

// tokenReply responds with a token called value that lives lifetime.
func tokenReply(value string, lifetime time.Duration) reply {
	body := fmt.Sprintf(`{"accessToken":%q,"expiresIn":%d,"scope":"read:corp"}`, value, int(lifetime.Seconds()))
	return bodyReply("application/json", body)
}

// bodyReply responds 200 with a body of the given content type.
func bodyReply(contentType, body string) reply {
	return reply{handler: func(w http.ResponseWriter, now time.Time) {
		w.Header().Set("Content-Type", contentType)
		_, _ = io.WriteString(w, body)
	}}
}

// statusReply responds with an error status and an optional Retry-After,
// which may use %s for an HTTP date 40 seconds after now.
func statusReply(status int, retryAfter string) reply {
	return reply{handler: func(w http.ResponseWriter, now time.Time) {
		value := retryAfter
		if strings.Contains(value, "%s") {
			value = fmt.Sprintf(value, now.Add(40*time.Second).UTC().Format(http.TimeFormat))
		}
		if value != "" {
			w.Header().Set("Retry-After", value)
		}
		w.WriteHeader(status)
	}}
}

// hangReply sends nothing until the client gives up.
var hangReply = reply{handler: func(w http.ResponseWriter, now time.Time) {
	<-w.(interface{ Context() context.Context }).Context().Done()
}}

// scriptedServer is a token endpoint on 127.0.0.1 whose transport plays
// replies in order and repeats the last one. It counts every request the
// client sends, including those that fail before reaching a server.
type scriptedServer struct {
	server     *httptest.Server
	closedAddr string
	base       *http.Transport
	clock      *fakeClock

	mu       sync.Mutex
	replies  []reply
	requests int
	current  reply
}

func newScriptedServer(t *testing.T, clock *fakeClock, replies ...reply) *scriptedServer {
	t.Helper()
	s := &scriptedServer{clock: clock, replies: replies, base: &http.Transport{DisableKeepAlives: true}}
	s.server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.server.Config.ErrorLog = log.New(io.Discard, "", 0)
	t.Cleanup(s.server.Close)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	s.closedAddr = listener.Addr().String()
	if err := listener.Close(); err != nil {
		t.Fatalf("close listener: %v", err)
	}
	return s
}

// client returns a Client that sends its requests through the script.
func (s *scriptedServer) client() *Client {
	return &Client{
		APIURL:     s.server.URL,
		HTTPClient: &http.Client{Transport: s},
		Timeout:    200 * time.Millisecond,
		Now:        s.clock.Now,
	}
}

// Requests returns the number of token requests sent so far.
func (s *scriptedServer) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// SetReplies replaces the replies still to come.
func (s *scriptedServer) SetReplies(replies ...reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = replies
}

func (s *scriptedServer) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.requests++
	next := s.replies[0]
	if len(s.replies) > 1 {
		s.replies = s.replies[1:]
	}
	s.current = next
	s.mu.Unlock()

	switch next.failure {
	case refused:
		r = r.Clone(r.Context())
		r.URL.Host = s.closedAddr
	case noHost:
		return nil, &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "athos.invalid", IsNotFound: true}}
	case badTLS:
		// The server speaks plain HTTP, so a TLS handshake with it fails.
		r = r.Clone(r.Context())
		r.URL.Scheme = "https"
	}
	return s.base.RoundTrip(r)
}

func (s *scriptedServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	handler := s.current.handler
	s.mu.Unlock()
	handler(contextWriter{w, r.Context()}, s.clock.Now())
}

// contextWriter gives a reply's handler the request's context.
type contextWriter struct {
	http.ResponseWriter
	ctx context.Context
}

func (w contextWriter) Context() context.Context { return w.ctx }

// faultHarness runs a Manager with a fake clock against a scriptedServer.
type faultHarness struct {
	t      *testing.T
	clock  *fakeClock
	server *scriptedServer
	m      *Manager
	waits  chan time.Duration
}

func newFaultHarness(t *testing.T, clock *fakeClock, replies ...reply) *faultHarness {
	t.Helper()
	h := &faultHarness{t: t, clock: clock, server: newScriptedServer(t, clock, replies...)}
	h.m, h.waits = startManager(t, h.server.client(), clock)
	h.settle()
	return h
}

// settle waits until Run waits with no request under way.
func (h *faultHarness) settle() {
	h.t.Helper()
	select {
	case <-h.waits:
	case <-time.After(10 * time.Second):
		h.t.Fatalf("Run did not settle within 10s of real time")
	}
}

// runFor moves running time forward by d, stopping at each timer of Run
// so that every check and request it schedules happens on time.
func (h *faultHarness) runFor(d time.Duration) {
	h.t.Helper()
	for d > 0 {
		left, ok := h.clock.Pending()
		if !ok || left > d {
			h.clock.Advance(d)
			return
		}
		h.clock.Advance(left)
		d -= left
		h.settle()
	}
}

// wake calls Wake and waits until Run has acted on it.
func (h *faultHarness) wake() {
	h.t.Helper()
	h.m.Wake()
	h.settle()
}

// wantRequests fails the test unless the server received n requests.
func (h *faultHarness) wantRequests(n int, when string) {
	h.t.Helper()
	if got := h.server.Requests(); got != n {
		h.t.Fatalf("requests %s: got %d, want %d", when, got, n)
	}
}

// timeLeft returns the token's time left on the wall clock.
func (h *faultHarness) timeLeft() time.Duration {
	return h.m.Snapshot().Token.Expiry().Sub(h.clock.Now())
}

func TestManagerClockChanges(t *testing.T) {
	const lifetime = 12 * time.Hour
	tests := []struct {
		name             string
		uncountedSuspend bool
		// change acts on the clock after the first token arrived.
		change func(h *faultHarness)
		// wantRequests is the count after the change and one wall-clock
		// check, and wantLeft the token's time left on the wall clock then.
		wantRequests int
		wantLeft     time.Duration
	}{
		{
			name:         "suspend before refresh time",
			change:       func(h *faultHarness) { h.clock.Suspend(time.Hour) },
			wantRequests: 1,
			wantLeft:     lifetime - time.Hour - DefaultCheckInterval,
		},
		{
			name:         "suspend past refresh time",
			change:       func(h *faultHarness) { h.clock.Suspend(lifetime - time.Minute) },
			wantRequests: 2,
			wantLeft:     lifetime,
		},
		{
			name:         "suspend past expiry",
			change:       func(h *faultHarness) { h.clock.Suspend(2 * lifetime) },
			wantRequests: 2,
			wantLeft:     lifetime,
		},
		{
			name:         "wall clock set back two hours",
			change:       func(h *faultHarness) { h.clock.SetWall(-2 * time.Hour) },
			wantRequests: 1,
			wantLeft:     lifetime - DefaultCheckInterval,
		},
		{
			name:         "wall clock set back a year",
			change:       func(h *faultHarness) { h.clock.SetWall(-365 * 24 * time.Hour) },
			wantRequests: 1,
			wantLeft:     lifetime - DefaultCheckInterval,
		},
		{
			name:         "wall clock set forward three hours",
			change:       func(h *faultHarness) { h.clock.SetWall(3 * time.Hour) },
			wantRequests: 1,
			wantLeft:     lifetime - DefaultCheckInterval,
		},
		{
			name:         "wall clock set forward past expiry",
			change:       func(h *faultHarness) { h.clock.SetWall(2 * lifetime) },
			wantRequests: 1,
			wantLeft:     lifetime - DefaultCheckInterval,
		},
		{
			name:             "suspend not counted by the elapsed clock",
			uncountedSuspend: true,
			change:           func(h *faultHarness) { h.clock.Suspend(lifetime - time.Minute) },
			wantRequests:     2,
			wantLeft:         lifetime,
		},
		{
			name:             "wall clock set forward without a suspend-counting clock",
			uncountedSuspend: true,
			change:           func(h *faultHarness) { h.clock.SetWall(lifetime) },
			wantRequests:     2,
			wantLeft:         lifetime,
		},
		{
			name:             "wall clock set back without a suspend-counting clock",
			uncountedSuspend: true,
			change:           func(h *faultHarness) { h.clock.SetWall(-2 * time.Hour) },
			wantRequests:     1,
			wantLeft:         lifetime - DefaultCheckInterval,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			clock.uncountedSuspend = tt.uncountedSuspend
			h := newFaultHarness(t, clock, tokenReply("first", lifetime), tokenReply("second", lifetime))
			h.wantRequests(1, "after start")

			tt.change(h)
			h.runFor(DefaultCheckInterval)

			h.wantRequests(tt.wantRequests, "one wall-clock check after the change")
			if got := h.timeLeft(); got != tt.wantLeft {
				t.Errorf("time left after the change: got %v, want %v", got, tt.wantLeft)
			}
			snap := h.m.Snapshot()
			if snap.Err != nil {
				t.Errorf("Err: got %v, want nil", snap.Err)
			}
			if want := snap.Token.Expiry().Add(-DefaultRefreshMargin); !snap.NextAttempt.Equal(want) {
				t.Errorf("NextAttempt: got %v, want %v (5 minutes before expiry)", snap.NextAttempt, want)
			}

			// Whatever happened to the wall clock, the next refresh comes 5
			// minutes before the real expiry and not a second earlier.
			h.runFor(tt.wantLeft - DefaultRefreshMargin - time.Second)
			h.wantRequests(tt.wantRequests, "one second before the refresh time")
			h.runFor(time.Second)
			h.wantRequests(tt.wantRequests+1, "at the refresh time")
		})
	}
}

func TestManagerClockSetBackRepeatedlyCausesNoStorm(t *testing.T) {
	h := newFaultHarness(t, newFakeClock(), tokenReply("first", 12*time.Hour), tokenReply("second", 12*time.Hour))
	for range 20 {
		h.clock.SetWall(-time.Hour)
		h.wake()
		h.clock.SetWall(3 * time.Hour)
		h.runFor(DefaultCheckInterval)
	}
	h.wantRequests(1, "after 40 changes of the wall clock")
	if got, want := h.timeLeft(), 12*time.Hour-20*DefaultCheckInterval; got != want {
		t.Errorf("time left: got %v, want %v", got, want)
	}
}

func TestManagerClockSetBackDuringBackoff(t *testing.T) {
	h := newFaultHarness(t, newFakeClock(), statusReply(http.StatusServiceUnavailable, ""),
		tokenReply("recovered", 12*time.Hour))
	if got := h.m.Snapshot().RetryIn(h.clock.Now()); got != DefaultRetryMin {
		t.Fatalf("RetryIn after the first failure: got %v, want %v", got, DefaultRetryMin)
	}

	h.clock.SetWall(-time.Hour)
	if got := h.m.Snapshot().RetryIn(h.clock.Now()); got != DefaultRetryMin {
		t.Errorf("RetryIn after the wall clock was set back: got %v, want %v", got, DefaultRetryMin)
	}
	h.runFor(DefaultRetryMin)
	h.wantRequests(2, "when the backoff ended")
	if got := h.m.Snapshot().Token.AccessToken; got != "recovered" {
		t.Errorf("token: got %q, want %q", got, "recovered")
	}
}

func TestManagerClockOff(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt string
		wantSkew  time.Duration
		wantOff   bool
	}{
		{"server agrees", "2026-03-02T21:00:00.000Z", 0, false},
		{"local clock 3 minutes ahead", "2026-03-02T20:57:00Z", 3 * time.Minute, true},
		{"local clock 10 minutes behind", "2026-03-02T21:10:00.250Z", -10 * time.Minute, true},
		{"within the limit", "2026-03-02T20:58:30Z", 90 * time.Second, false},
		{"offset notation", "2026-03-02T22:05:00+01:00", -5 * time.Minute, true},
		{"missing", "", 0, false},
		{"unparsable", "tomorrow", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := `{"accessToken":"tok","expiresIn":43200}`
			if tt.expiresAt != "" {
				body = fmt.Sprintf(`{"accessToken":"tok","expiresIn":43200,"expiresAt":%q}`, tt.expiresAt)
			}
			h := newFaultHarness(t, newFakeClock(), bodyReply("application/json", body))

			skew, off := h.m.Snapshot().ClockOff()
			if skew != tt.wantSkew || off != tt.wantOff {
				t.Errorf("ClockOff: got %v, %v; want %v, %v", skew, off, tt.wantSkew, tt.wantOff)
			}
			h.wantRequests(1, "for one token")
		})
	}
}

func TestManagerUnexpectedResponses(t *testing.T) {
	oversized := `{"accessToken":"` + strings.Repeat("A", MaxResponseBytes) + `","expiresIn":43200}`
	tests := []struct {
		name  string
		reply reply
		// wantRequests counts requests during the first minute.
		wantRequests int
		wantErr      error
		wantInErr    string
	}{
		// A failure is retried after 5s, 10s and 20s: at 0, 5, 15 and 35s.
		{"missing expiresIn", bodyReply("application/json", `{"accessToken":"tok-a"}`),
			4, ErrMalformedResponse, "missing expiresIn"},
		{"zero expiresIn", bodyReply("application/json", `{"accessToken":"tok-a","expiresIn":0}`),
			4, ErrMalformedResponse, "not positive"},
		{"negative expiresIn", bodyReply("application/json", `{"accessToken":"tok-a","expiresIn":-43200}`),
			4, ErrMalformedResponse, "not positive"},
		{"fractional expiresIn", bodyReply("application/json", `{"accessToken":"tok-a","expiresIn":1.5}`),
			4, ErrMalformedResponse, "not a whole number"},
		{"HTML page", bodyReply("text/html", "<html><body>tok-a</body></html>"),
			4, ErrMalformedResponse, "content type text/html"},
		{"not JSON", bodyReply("application/json", "tok-a"), 4, ErrMalformedResponse, "not JSON"},
		{"oversized", bodyReply("application/json", oversized), 4, ErrMalformedResponse, "larger than 64 KiB"},
		{"missing accessToken", bodyReply("application/json", `{"expiresIn":43200,"tok-a":1}`),
			4, ErrMalformedResponse, "missing accessToken"},
		// A token that lives a second is refreshed every 10 seconds, at 0,
		// 10, 20, 30, 40, 50 and 60s.
		{"expiresIn of one second", tokenReply("tok-a", time.Second), 7, nil, ""},
		// A token shorter than the margin is refreshed halfway: at 0 and 60s.
		{"expiresIn under the margin", tokenReply("tok-a", 2*time.Minute), 2, nil, ""},
		{"expiresIn with a fraction part", bodyReply("application/json; charset=utf-8",
			`{"accessToken":"tok-a","expiresIn":43200.0,"extra":[1,2]}`), 1, nil, ""},
		{"string expiresIn", bodyReply("application/json", `{"accessToken":"tok-a","expiresIn":"43200"}`),
			1, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFaultHarness(t, newFakeClock(), tt.reply)
			h.runFor(time.Minute)

			h.wantRequests(tt.wantRequests, "during the first minute")
			snap := h.m.Snapshot()
			if tt.wantErr == nil {
				if snap.Err != nil || snap.Token.AccessToken != "tok-a" {
					t.Errorf("state: got token %q and error %v, want tok-a and nil", snap.Token.AccessToken, snap.Err)
				}
				return
			}
			if !errors.Is(snap.Err, tt.wantErr) || !strings.Contains(snap.Err.Error(), tt.wantInErr) {
				t.Errorf("Err: got %v, want %v saying %q", snap.Err, tt.wantErr, tt.wantInErr)
			}
			if strings.Contains(snap.Err.Error(), "tok-a") {
				t.Errorf("Err: got %q, want no part of the body", snap.Err)
			}
			if snap.Token.AccessToken != "" || snap.Offline() {
				t.Errorf("state: got token %q, offline %v; want no token and not offline",
					snap.Token.AccessToken, snap.Offline())
			}
		})
	}
}

func TestManagerOutages(t *testing.T) {
	const lifetime = 12 * time.Hour
	tests := []struct {
		name    string
		failure reply
		// wantOffline is what Snapshot.Offline reports during the outage.
		wantOffline bool
		wantErr     error
		// wantRetry is the delay before the first retry.
		wantRetry time.Duration
		// wantRequests counts the refresh and its retries in the first
		// minute of the outage, and wantNext is the delay before the next
		// retry at its end.
		wantRequests int
		wantNext     time.Duration
	}{
		// Without Retry-After, retries follow after 5s, 10s and 20s, at
		// 0, 5, 15 and 35s, and the next one at 75s.
		{"connection refused", reply{failure: refused}, true, ErrNetwork, 5 * time.Second, 4, 15 * time.Second},
		{"host name not found", reply{failure: noHost}, true, ErrNetwork, 5 * time.Second, 4, 15 * time.Second},
		{"TLS handshake failure", reply{failure: badTLS}, true, ErrTLS, 5 * time.Second, 4, 15 * time.Second},
		{"timeout", hangReply, true, ErrTimeout, 5 * time.Second, 4, 15 * time.Second},
		{"500", statusReply(http.StatusInternalServerError, ""), false, ErrServer, 5 * time.Second, 4, 15 * time.Second},
		{"503", statusReply(http.StatusServiceUnavailable, ""), false, ErrServer, 5 * time.Second, 4, 15 * time.Second},
		// Retry-After: 30 puts the retries at 0, 30 and 60s.
		{"429 with Retry-After seconds", statusReply(http.StatusTooManyRequests, "30"), false, ErrServer,
			30 * time.Second, 3, 30 * time.Second},
		// An HTTP date 40s ahead puts the retries at 0 and 40s.
		{"429 with Retry-After date", statusReply(http.StatusTooManyRequests, "%s"), false, ErrServer,
			40 * time.Second, 2, 20 * time.Second},
		{"429 without Retry-After", statusReply(http.StatusTooManyRequests, ""), false, ErrServer,
			5 * time.Second, 4, 15 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFaultHarness(t, newFakeClock(), tokenReply("kept", lifetime))
			h.server.SetReplies(tt.failure)
			h.runFor(lifetime - DefaultRefreshMargin)
			h.wantRequests(2, "at the refresh time")

			snap := h.m.Snapshot()
			if !errors.Is(snap.Err, tt.wantErr) {
				t.Errorf("Err: got %v, want %v", snap.Err, tt.wantErr)
			}
			if snap.Offline() != tt.wantOffline {
				t.Errorf("Offline: got %v, want %v for %v", snap.Offline(), tt.wantOffline, snap.Err)
			}
			if got := snap.RetryIn(h.clock.Now()); got != tt.wantRetry {
				t.Errorf("RetryIn: got %v, want %v", got, tt.wantRetry)
			}

			// The old token stays usable without another request.
			tok, err := h.m.Token(context.Background())
			if err != nil || tok.AccessToken != "kept" {
				t.Errorf("Token during the outage: got %q, %v; want the kept token", tok.AccessToken, err)
			}
			h.runFor(time.Minute)
			h.wantRequests(1+tt.wantRequests, "after the first minute of the outage")
			if got := h.m.Snapshot().RetryIn(h.clock.Now()); got != tt.wantNext {
				t.Errorf("RetryIn after a minute: got %v, want %v", got, tt.wantNext)
			}

			// The first success clears the failure.
			h.server.SetReplies(tokenReply("recovered", lifetime))
			h.runFor(tt.wantNext)
			h.wantRequests(2+tt.wantRequests, "after the server recovered")
			snap = h.m.Snapshot()
			if snap.Err != nil || snap.Failures != 0 || snap.Offline() || snap.Token.AccessToken != "recovered" {
				t.Errorf("state after recovery: got token %q, error %v, %d failures; want recovered, nil, 0",
					snap.Token.AccessToken, snap.Err, snap.Failures)
			}
		})
	}
}

func TestManagerBackoffIsCapped(t *testing.T) {
	h := newFaultHarness(t, newFakeClock(), reply{failure: refused})
	// Retries follow after 5s, 10s, 20s, 40s, 80s, 160s, then every 300s:
	// 7 requests by 315s, then one more each 5 minutes.
	h.runFor(315*time.Second + time.Hour)
	h.wantRequests(7+12, "in the first 65 minutes")
	if got := h.m.Snapshot().RetryIn(h.clock.Now()); got != DefaultRetryMax {
		t.Errorf("RetryIn: got %v, want the cap of %v", got, DefaultRetryMax)
	}
}

func TestManagerWake(t *testing.T) {
	tests := []struct {
		name    string
		replies []reply
		// before runs before Wake, and wantRequests counts the requests
		// after Wake.
		before       func(h *faultHarness)
		wantRequests int
		wantToken    string
	}{
		{
			name:    "in backoff retries at once",
			replies: []reply{{failure: refused}, {failure: refused}, {failure: refused}, tokenReply("back", time.Hour)},
			// Failures at 0, 5 and 15s; the next retry would wait until 35s.
			before:       func(h *faultHarness) { h.runFor(20 * time.Second) },
			wantRequests: 4,
			wantToken:    "back",
		},
		{
			name:    "right after a failure keeps the minimum interval",
			replies: []reply{{failure: refused}, {failure: refused}, tokenReply("back", time.Hour)},
			// The second failure, at 5s, was 1s ago.
			before:       func(h *faultHarness) { h.runFor(6 * time.Second) },
			wantRequests: 2,
		},
		{
			name:         "with a valid token sends nothing",
			replies:      []reply{tokenReply("fresh", time.Hour)},
			before:       func(h *faultHarness) { h.runFor(time.Minute) },
			wantRequests: 1,
			wantToken:    "fresh",
		},
		{
			name:         "after waking past the refresh time refreshes at once",
			replies:      []reply{tokenReply("old", time.Hour), tokenReply("new", time.Hour)},
			before:       func(h *faultHarness) { h.clock.Suspend(2 * time.Hour) },
			wantRequests: 2,
			wantToken:    "new",
		},
		{
			name:         "after rejection sends nothing",
			replies:      []reply{statusReply(http.StatusUnauthorized, "")},
			before:       func(h *faultHarness) { h.runFor(time.Minute) },
			wantRequests: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFaultHarness(t, newFakeClock(), tt.replies...)
			tt.before(h)

			h.wake()
			h.wantRequests(tt.wantRequests, "right after Wake")
			if got := h.m.Snapshot().Token.AccessToken; got != tt.wantToken {
				t.Errorf("token after Wake: got %q, want %q", got, tt.wantToken)
			}
			for range 5 {
				h.m.Wake()
			}
			h.wantRequests(tt.wantRequests, "after five more calls of Wake")
		})
	}
}

func TestManagerWakeAfterFailureWaitsMinimumInterval(t *testing.T) {
	h := newFaultHarness(t, newFakeClock(), reply{failure: refused}, reply{failure: refused},
		tokenReply("back", time.Hour))
	h.runFor(6 * time.Second)
	h.wake()
	if got, want := h.m.Snapshot().RetryIn(h.clock.Now()), 4*time.Second; got != want {
		t.Fatalf("RetryIn after Wake 1s after a failure: got %v, want %v", got, want)
	}
	h.runFor(4 * time.Second)
	h.wantRequests(3, "5 seconds after the failure")
}

func TestManagerRejection(t *testing.T) {
	const lifetime = 12 * time.Hour
	tests := []struct {
		name   string
		status int
		// withToken runs the rejection as a refresh of a valid token.
		withToken bool
	}{
		{"401 on the first request", http.StatusUnauthorized, false},
		{"403 on the first request", http.StatusForbidden, false},
		{"single 401 during a refresh", http.StatusUnauthorized, true},
		{"single 403 during a refresh", http.StatusForbidden, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rejected := statusReply(tt.status, "")
			replies := []reply{rejected, tokenReply("fixed", lifetime)}
			if tt.withToken {
				replies = []reply{tokenReply("kept", lifetime), rejected, tokenReply("fixed", lifetime)}
			}
			h := newFaultHarness(t, newFakeClock(), replies...)
			sent := 1
			if tt.withToken {
				h.runFor(lifetime - DefaultRefreshMargin)
				sent = 2
			}
			h.wantRequests(sent, "until the rejection")

			snap := h.m.Snapshot()
			if !snap.Rejected() || !snap.NextAttempt.IsZero() || snap.Profile != "test" {
				t.Errorf("state after %d: got rejected %v, next %v, profile %q; want true, none, test",
					tt.status, snap.Rejected(), snap.NextAttempt, snap.Profile)
			}
			if tt.withToken {
				tok, err := h.m.Token(context.Background())
				if err != nil || tok.AccessToken != "kept" {
					t.Errorf("Token after a rejected refresh: got %q, %v; want the kept token", tok.AccessToken, err)
				}
				h.runFor(DefaultRefreshMargin - time.Second)
			} else {
				h.runFor(10 * time.Hour)
			}
			h.wake()
			h.wantRequests(sent, "while rejected, with Wake")

			// The user asks to retry.
			tok, err := h.m.Refresh(context.Background())
			h.settle()
			if err != nil || tok.AccessToken != "fixed" {
				t.Errorf("Refresh: got %q, %v; want the new token", tok.AccessToken, err)
			}
			h.wantRequests(sent+1, "after the user asked to retry")
			if h.m.Snapshot().Rejected() {
				t.Errorf("Rejected: got true after a successful retry, want false")
			}
		})
	}
}

func TestManagerRejectionEndsWithProfileChange(t *testing.T) {
	h := newFaultHarness(t, newFakeClock(), statusReply(http.StatusUnauthorized, ""), tokenReply("other", time.Hour))
	h.m.SetProfile("other", Credentials{ClientID: "other", ClientSecret: "secret"}, false)
	h.settle()
	h.wantRequests(2, "after the profile changed")
	if snap := h.m.Snapshot(); snap.Rejected() || snap.Token.AccessToken != "other" {
		t.Errorf("state: got rejected %v, token %q; want false, other", snap.Rejected(), snap.Token.AccessToken)
	}
}
