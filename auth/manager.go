package auth

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Defaults for ManagerConfig fields left at zero.
const (
	// DefaultRefreshMargin is how long before expiry a token is refreshed,
	// as the Athos documentation recommends.
	DefaultRefreshMargin = 5 * time.Minute
	// DefaultCheckInterval bounds how long the manager waits between two
	// looks at the wall clock, so a refresh that fell due while the laptop
	// slept happens this long after waking at the latest.
	DefaultCheckInterval = 10 * time.Second
	// DefaultRetryMin is the delay before the first retry after a failure.
	DefaultRetryMin = 5 * time.Second
	// DefaultRetryMax caps the exponential backoff between retries.
	DefaultRetryMax = 5 * time.Minute
	// minRefreshInterval is the shortest time between receiving a token and
	// the scheduled refresh, so that tokens with tiny lifetimes cannot cause
	// a request loop.
	minRefreshInterval = 10 * time.Second
	// minRequestInterval is the shortest time between the end of one
	// request and the start of the next automatic one, whether the
	// schedule, a retry or Wake requests it. Refresh, and Token without a
	// valid token, are not held back, because a caller waits for them.
	minRequestInterval = 5 * time.Second
	// lastRetryLead is how long before a kept token's expiry the last
	// retry of a failing refresh comes, when the backoff would otherwise
	// put the next retry after the expiry.
	lastRetryLead = 15 * time.Second
	// clockJumpTolerance is how far the wall clock may move against the
	// elapsed time of an ElapsedClock before the Manager takes it for a
	// change of the wall clock.
	clockJumpTolerance = 2 * time.Second
)

// ErrLegacyMode is returned by Token and Refresh while the profile uses
// legacy Basic authentication, in which no token is fetched.
var ErrLegacyMode = errors.New("legacy Basic authentication is on, so no token is fetched")

// ErrNoProfile is returned by Token and Refresh before SetProfile was called.
var ErrNoProfile = errors.New("no profile is active")

// Fetcher obtains a new token for a set of credentials. *Client is the
// production implementation.
type Fetcher interface {
	FetchToken(ctx context.Context, creds Credentials) (Token, error)
}

// ManagerConfig holds the dependencies and tuning of a Manager.
type ManagerConfig struct {
	Fetcher Fetcher
	// Clock defaults to SystemClock.
	Clock Clock
	// Logger defaults to slog.Default.
	Logger *slog.Logger
	// RefreshMargin, CheckInterval, RetryMin and RetryMax default to the
	// constants of the same name.
	RefreshMargin time.Duration
	CheckInterval time.Duration
	RetryMin      time.Duration
	RetryMax      time.Duration
	// Jitter returns a factor in [0, 1) that spreads retry delays. It
	// defaults to math/rand/v2.Float64.
	Jitter func() float64
}

// Snapshot is a copy of a Manager's state at one moment. The tray renders
// snapshots and never changes the manager's state directly.
type Snapshot struct {
	Profile string
	// Legacy reports whether the profile uses legacy Basic authentication.
	Legacy bool
	// Token is the newest token, possibly expired, or zero when none arrived.
	Token Token
	// Fetching reports whether a token request is under way.
	Fetching bool
	// Err is the last failure, nil after a success.
	Err error
	// Failures counts consecutive failed requests.
	Failures int
	// NextAttempt is the wall-clock time of the next automatic request,
	// zero when none is scheduled (legacy mode, or credentials rejected).
	NextAttempt time.Time
}

// Rejected reports whether the server rejected the credentials, after
// which the manager stops retrying until the next explicit Refresh.
func (s Snapshot) Rejected() bool {
	return errors.Is(s.Err, ErrCredentialsRejected)
}

// Offline reports whether the last request failed without an HTTP
// response (see IsNetworkError), so that the manager is retrying until the
// network works again. Token still holds the previous token, which stays
// usable until it expires.
func (s Snapshot) Offline() bool {
	return IsNetworkError(s.Err)
}

// RetryIn returns how long after now the next automatic request follows a
// failure, for a line such as "Offline, retrying in 40s". It is zero when
// the last request succeeded, when no retry is scheduled, and when the
// retry is due.
func (s Snapshot) RetryIn(now time.Time) time.Duration {
	if s.Err == nil || s.NextAttempt.IsZero() {
		return 0
	}
	return max(s.NextAttempt.Sub(now), 0)
}

// ClockOff returns how far the local clock is ahead of the server's
// (negative when behind), estimated from the token's expiresAt, and whether
// the difference exceeds MaxClockSkew and is worth showing. It returns
// zero and false when the response had no valid expiresAt.
func (s Snapshot) ClockOff() (time.Duration, bool) {
	return ClockOff(s.Token)
}

// Manager owns the access token of the active profile: it fetches it,
// refreshes it before expiry, retries failures with backoff, and lets
// concurrent callers share one request.
type Manager struct {
	fetcher Fetcher
	clock   Clock
	log     *slog.Logger
	margin  time.Duration
	check   time.Duration
	retry   [2]time.Duration
	jitter  func() float64

	// changed receives a value, without blocking, after every state change.
	changed chan struct{}
	// wake interrupts Run's wait when the schedule changes.
	wake chan struct{}
	// onWait, when set by a test, is called each time Run is about to wait.
	onWait func(wait time.Duration, busy bool)
	// elapsed reads the clock that setting the wall clock does not move,
	// nil when Clock is not an ElapsedClock.
	elapsed func() (time.Duration, bool)

	mu sync.Mutex // guards every field below
	// generation increases with each SetProfile, so that a request started
	// for an earlier profile does not overwrite the current one's state.
	generation uint64
	profile    string
	creds      Credentials
	legacy     bool
	token      Token
	err        error
	failures   int
	// backoffFrom is the value of failures when the backoff last started
	// over, which it does once the kept token expires, and
	// backoffRestarted reports whether it did so in the current run of
	// failures.
	backoffFrom      int
	backoffRestarted bool
	next             time.Time
	flight           *flight
	// lastEnd is the wall-clock time the previous request ended, zero
	// before the first one of the profile.
	lastEnd time.Time
	// reference pairs a wall-clock reading with an elapsed-time reading
	// taken at the same moment. Comparing later pairs with it reveals a
	// change of the wall clock.
	reference clockReading
}

// clockReading is a wall-clock time and the elapsed time read with it.
type clockReading struct {
	wall    time.Time
	elapsed time.Duration
}

// flight is one token request that several callers wait for.
type flight struct {
	done  chan struct{}
	token Token
	err   error
	// joined counts the callers that waited for this request instead of
	// starting their own. Manager.mu guards it.
	joined int
}

// NewManager returns a Manager with no profile. Call SetProfile, then Run.
func NewManager(cfg ManagerConfig) *Manager {
	m := &Manager{
		fetcher: cfg.Fetcher,
		clock:   cfg.Clock,
		log:     cfg.Logger,
		margin:  orDefault(cfg.RefreshMargin, DefaultRefreshMargin),
		check:   orDefault(cfg.CheckInterval, DefaultCheckInterval),
		retry:   [2]time.Duration{orDefault(cfg.RetryMin, DefaultRetryMin), orDefault(cfg.RetryMax, DefaultRetryMax)},
		jitter:  cfg.Jitter,
		changed: make(chan struct{}, 1),
		wake:    make(chan struct{}, 1),
	}
	if m.clock == nil {
		m.clock = SystemClock()
	}
	if m.log == nil {
		m.log = slog.Default()
	}
	if m.jitter == nil {
		m.jitter = rand.Float64
	}
	if elapsed, ok := m.clock.(ElapsedClock); ok {
		m.elapsed = elapsed.Elapsed
	}
	return m
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// Changed returns a channel that receives a value after the state changed.
// Several changes may be merged into one value, so read Snapshot after it.
func (m *Manager) Changed() <-chan struct{} {
	return m.changed
}

// SetProfile makes a profile active and drops the previous profile's token.
// Unless legacy is true, the next Run iteration fetches a token for it.
func (m *Manager) SetProfile(name string, creds Credentials, legacy bool) {
	m.mu.Lock()
	m.generation++
	m.profile = name
	m.creds = creds
	m.legacy = legacy
	m.token = Token{}
	m.err = nil
	m.failures, m.backoffFrom, m.backoffRestarted = 0, 0, false
	m.next = time.Time{}
	m.flight = nil
	m.lastEnd = time.Time{}
	if !legacy {
		m.next = m.nowLocked()
	}
	m.mu.Unlock()

	m.log.Info("profile active", "profile", name, "legacy", legacy)
	m.notify()
	m.kick()
}

// SetLegacy switches legacy Basic authentication on or off for the active
// profile. Switching it off schedules a token request unless the kept
// token is still valid.
func (m *Manager) SetLegacy(legacy bool) {
	m.mu.Lock()
	if m.legacy == legacy {
		m.mu.Unlock()
		return
	}
	m.legacy = legacy
	m.err = nil
	m.failures, m.backoffFrom, m.backoffRestarted = 0, 0, false
	m.next = time.Time{}
	if !legacy {
		m.scheduleLocked(m.dueLocked(m.nowLocked()))
	}
	profile := m.profile
	m.mu.Unlock()

	m.log.Info("legacy basic auth switched", "profile", profile, "legacy", legacy)
	m.notify()
	m.kick()
}

// dueLocked returns when the current token should be refreshed: now when
// there is none, else the refresh margin before expiry. A token whose whole
// lifetime is shorter than the margin is refreshed halfway instead, and
// never sooner than minRefreshInterval after it arrived.
func (m *Manager) dueLocked(now time.Time) time.Time {
	if !m.token.Valid(now) {
		return now
	}

	due := m.token.Expiry().Add(-m.margin)
	if m.token.ExpiresIn <= m.margin {
		due = m.token.ReceivedAt.Add(m.token.ExpiresIn / 2)
	}
	if floor := m.token.ReceivedAt.Add(minRefreshInterval); due.Before(floor) {
		due = floor
	}
	return due
}

// scheduleLocked sets the time of the next automatic request, but never
// sooner than minRequestInterval after the previous request ended.
func (m *Manager) scheduleLocked(at time.Time) {
	if floor := m.lastEnd.Add(minRequestInterval); !m.lastEnd.IsZero() && at.Before(floor) {
		at = floor
	}
	m.next = at
}

// Snapshot returns a copy of the current state. The token's ReceivedAt
// and NextAttempt already follow any change of the wall clock noticed
// while taking it.
func (m *Manager) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()

	m.nowLocked()
	return Snapshot{
		Profile:     m.profile,
		Legacy:      m.legacy,
		Token:       m.token,
		Fetching:    m.flight != nil,
		Err:         m.err,
		Failures:    m.failures,
		NextAttempt: m.next,
	}
}

// Token returns a valid access token. It returns the current token while it
// has not expired, even inside the refresh margin, and otherwise waits for
// a request that it shares with every other caller.
func (m *Manager) Token(ctx context.Context) (Token, error) {
	m.mu.Lock()
	if err := m.usableLocked(); err != nil {
		m.mu.Unlock()
		return Token{}, err
	}
	if m.token.Valid(m.nowLocked()) {
		tok := m.token
		m.mu.Unlock()
		return tok, nil
	}
	f := m.startLocked(ctx)
	m.mu.Unlock()

	tok, err := m.wait(ctx, f)
	if err != nil && tok.Valid(m.clock.Now()) {
		return tok, nil
	}
	return tok, err
}

// Refresh requests a new token now, even if the current one is valid, and
// clears a previous rejection of the credentials. If a request is already
// under way, Refresh waits for that one instead of sending another. Because
// the server caches tokens, the result is often the same token. When the
// request fails, Refresh returns the error together with the kept token if
// that is still valid.
func (m *Manager) Refresh(ctx context.Context) (Token, error) {
	m.mu.Lock()
	if err := m.usableLocked(); err != nil {
		m.mu.Unlock()
		return Token{}, err
	}
	f := m.startLocked(ctx)
	m.mu.Unlock()

	return m.wait(ctx, f)
}

func (m *Manager) usableLocked() error {
	if m.profile == "" {
		return ErrNoProfile
	}
	if m.legacy {
		return ErrLegacyMode
	}
	return nil
}

func (m *Manager) wait(ctx context.Context, f *flight) (Token, error) {
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return Token{}, ctx.Err()
	}
}

// startLocked returns the request under way, or starts one. The request
// runs on its own goroutine with a context that outlives the caller's, so a
// caller that gives up does not cancel it for the others.
func (m *Manager) startLocked(ctx context.Context) *flight {
	if m.flight != nil {
		m.flight.joined++
		return m.flight
	}

	f := &flight{done: make(chan struct{})}
	m.flight = f
	generation, creds, profile := m.generation, m.creds, m.profile
	go m.fetch(context.WithoutCancel(ctx), f, generation, profile, creds)

	m.notify()
	return f
}

func (m *Manager) fetch(ctx context.Context, f *flight, generation uint64, profile string, creds Credentials) {
	m.log.Info("token request started", "profile", profile)
	tok, err := m.fetcher.FetchToken(ctx, creds)

	m.mu.Lock()
	current := m.generation == generation
	if current {
		m.flight = nil
		m.recordLocked(profile, tok, err)
	}
	f.token, f.err = tok, err
	if err != nil && current && m.token.Valid(m.nowLocked()) {
		// The request failed but the kept token still works. Token hands it
		// out, and Refresh returns it together with the error.
		f.token = m.token
	}
	// Kicking before the unlock means that Run, once it finds no request
	// under way, also finds the kick waiting.
	m.kick()
	m.mu.Unlock()

	close(f.done)
	m.notify()
}

// recordLocked stores the outcome of a request and schedules the next one.
func (m *Manager) recordLocked(profile string, tok Token, err error) {
	// Reading the clock first applies a change of the wall clock made
	// during the request to the old state, not to tok, whose ReceivedAt
	// was read after the change.
	now := m.nowLocked()
	m.lastEnd = now
	if err == nil {
		m.token = tok
		m.err = nil
		m.failures, m.backoffFrom, m.backoffRestarted = 0, 0, false
		m.scheduleLocked(m.dueLocked(now))
		if m.legacy {
			m.next = time.Time{}
		}
		m.log.Info("token received", "profile", profile,
			"expires_in", tok.ExpiresIn.Round(time.Second), "refresh_at", m.next.Format(time.RFC3339))
		if tok.ExpiresIn <= m.margin {
			m.log.Warn("token lifetime is shorter than the refresh margin; refreshing halfway through it",
				"profile", profile, "expires_in", tok.ExpiresIn.Round(time.Second), "margin", m.margin)
		}
		if skew, off := ClockOff(tok); off {
			m.log.Warn("local clock differs from the server's; scheduling follows expiresIn, not expiresAt",
				"profile", profile, "skew", skew.Round(time.Second))
		}
		return
	}

	m.err = err
	m.failures++
	if errors.Is(err, ErrCredentialsRejected) {
		m.next = time.Time{}
		m.log.Error("token request rejected; retries stopped until the credentials change or a manual refresh",
			"profile", profile, "err", err)
		return
	}
	if m.legacy {
		m.next = time.Time{}
		return
	}

	m.scheduleLocked(m.retryAtLocked(now, err))
	m.log.Warn("token request failed; retrying", "profile", profile, "err", err, "attempt", m.failures,
		"retry_in", m.next.Sub(now).Round(time.Second), "network", IsNetworkError(err),
		"token_valid", m.token.Valid(now))
}

// retryAtLocked returns when to retry after err. While the kept token is
// valid, a backoff that would reach past its expiry is cut short: one retry
// comes lastRetryLead before the expiry and the next at the expiry. Once the
// token has expired the backoff starts again from RetryMin. A Retry-After
// from the server overrides both.
func (m *Manager) retryAtLocked(now time.Time, err error) time.Time {
	expired := m.token.AccessToken != "" && !m.token.Valid(now)
	if expired && !m.backoffRestarted {
		// Without a valid token the user is stuck, so the retries start
		// again from the shortest delay.
		m.backoffFrom, m.backoffRestarted = m.failures-1, true
	}
	at := now.Add(m.backoff(err))
	var status *StatusError
	if errors.As(err, &status) && status.RetryAfter > 0 {
		return at
	}
	if !m.token.Valid(now) {
		return at
	}
	expiry := m.token.Expiry()
	if last := expiry.Add(-lastRetryLead); now.Before(last) && at.After(last) {
		return last
	}
	return minTime(at, expiry)
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// backoff returns the delay before the next retry: RetryMin doubled for each
// consecutive failure, capped at RetryMax, then spread by up to ±20 percent.
// A longer Retry-After from the server wins, within the same cap.
func (m *Manager) backoff(err error) time.Duration {
	delay := m.retry[0]
	for i := 1; i < m.failures-m.backoffFrom && delay < m.retry[1]; i++ {
		delay *= 2
	}
	delay = min(delay, m.retry[1])

	spread := 0.8 + 0.4*m.jitter()
	delay = time.Duration(float64(delay) * spread)

	var status *StatusError
	if errors.As(err, &status) && status.RetryAfter > delay {
		delay = min(status.RetryAfter, m.retry[1])
	}
	return delay
}

// Run refreshes the token whenever it falls due until ctx ends. It compares
// the due time with the wall clock at least every CheckInterval, because
// Go timers do not count time that a laptop spent asleep.
func (m *Manager) Run(ctx context.Context) {
	m.log.Info("token manager started")
	defer m.log.Info("token manager stopped")

	for {
		m.mu.Lock()
		now := m.nowLocked()
		due := m.next
		busy := m.flight != nil
		m.mu.Unlock()

		if !due.IsZero() && !now.Before(due) && !busy {
			m.startScheduled(ctx)
			continue
		}

		wait := m.check
		if !due.IsZero() && !busy {
			wait = min(wait, due.Sub(now))
		}
		timer := m.clock.After(wait)
		// A pending kick makes Run look again at once, so this is not yet
		// the wait that tests settle on.
		if m.onWait != nil && len(m.wake) == 0 {
			m.onWait(wait, busy)
		}
		select {
		case <-ctx.Done():
			return
		case <-m.wake:
		case <-timer:
		}
	}
}

// startScheduled starts the request that Run found due, unless the state
// changed since Run looked at it.
func (m *Manager) startScheduled(ctx context.Context) {
	m.mu.Lock()
	defer m.mu.Unlock()

	now := m.nowLocked()
	if m.usableLocked() != nil {
		m.next = time.Time{}
		return
	}
	if m.next.IsZero() || now.Before(m.next) || m.flight != nil {
		return
	}
	m.next = time.Time{}
	m.startLocked(ctx)
}

func (m *Manager) notify() {
	select {
	case m.changed <- struct{}{}:
	default:
	}
}

func (m *Manager) kick() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// Wake requests a prompt attempt after the network came back or the
// computer woke up. When a failed request waits in backoff, the retry
// starts at once instead of when the backoff ends, though never sooner
// than minRequestInterval after the previous request. A refresh that fell
// due starts at once too. Otherwise, and after the credentials were
// rejected, Wake only makes the manager compare the wall clock with its
// schedule again. It does not block.
func (m *Manager) Wake() {
	m.mu.Lock()
	now := m.nowLocked()
	backingOff := m.failures > 0 && !m.next.IsZero() && now.Before(m.next)
	if backingOff && m.flight == nil && m.usableLocked() == nil {
		m.scheduleLocked(now)
		m.log.Info("retrying early because the network or the computer woke up", "profile", m.profile,
			"retry_in", max(m.next.Sub(now), 0).Round(time.Second))
	}
	m.mu.Unlock()

	m.notify()
	m.kick()
}
