package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/assets"
	"github.com/athos-tray/athos-tray/auth"
)

func TestCountdown(t *testing.T) {
	tests := []struct {
		left time.Duration
		want string
	}{
		{12 * time.Hour, "12h 0m"},
		{11*time.Hour + 52*time.Minute + 59*time.Second, "11h 52m"},
		{time.Hour, "1h 0m"},
		{59*time.Minute + 59*time.Second, "59m"},
		{10 * time.Minute, "10m"},
		{10*time.Minute - time.Second, "9m 59s"},
		{4*time.Minute + 10*time.Second + 900*time.Millisecond, "4m 10s"},
		{time.Minute, "1m 0s"},
		{42 * time.Second, "42s"},
		{0, "0s"},
		{-time.Second, "0s"},
	}
	for _, tt := range tests {
		t.Run(tt.left.String(), func(t *testing.T) {
			if got := Countdown(tt.left); got != tt.want {
				t.Errorf("Countdown(%v) = %q, want %q", tt.left, got, tt.want)
			}
		})
	}
}

func TestRenderStatus(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	token := func(left time.Duration) auth.Token {
		return auth.Token{AccessToken: "eyX", ExpiresIn: 12 * time.Hour, ReceivedAt: now.Add(left - 12*time.Hour)}
	}
	serverDown := fmt.Errorf("fetch token: %w", &auth.StatusError{StatusCode: 503})
	rejected := fmt.Errorf("fetch token: %w", &auth.StatusError{StatusCode: 401})
	refused := fmt.Errorf("fetch token: %w: connection refused", auth.ErrNetwork)
	timedOut := fmt.Errorf("fetch token: %w after 15s", auth.ErrTimeout)
	busy := fmt.Errorf("fetch token: %w", &auth.StatusError{StatusCode: 429, RetryAfter: 30 * time.Second})
	garbage := fmt.Errorf("fetch token: %w: not JSON", auth.ErrMalformedResponse)
	in40s := now.Add(39*time.Second + 200*time.Millisecond)
	skewed := func(skew time.Duration) auth.Token {
		tok := token(time.Hour)
		tok.ServerExpiresAt = tok.Expiry().Add(-skew)
		return tok
	}

	tests := []struct {
		name       string
		in         Input
		wantStatus string
		wantIcon   assets.State
		wantBearer bool
	}{
		{
			name:       "valid",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(11*time.Hour + 52*time.Minute)}},
			wantStatus: "Expires in 11h 52m", wantIcon: assets.StateValid, wantBearer: true,
		},
		{
			name:       "under ten minutes",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(4*time.Minute + 10*time.Second)}},
			wantStatus: "Expires in 4m 10s", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name:       "refreshing",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(time.Hour), Fetching: true}},
			wantStatus: "Expires in 1h 0m · refreshing…", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "refresh failing",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(3 * time.Minute), Err: serverDown,
				Failures: 1, NextAttempt: in40s}},
			wantStatus: "Server error 503, retrying in 40s · expires in 3m 0s", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "offline with valid token",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(2 * time.Hour), Err: refused,
				Failures: 3, NextAttempt: in40s}},
			wantStatus: "Offline, retrying in 40s · expires in 2h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "timeout counts as offline",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(2 * time.Hour), Err: timedOut,
				Failures: 1, NextAttempt: now.Add(2*time.Minute + 10*time.Second)}},
			wantStatus: "Offline, retrying in 2m 10s · expires in 2h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "offline while retrying",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(2 * time.Hour), Err: refused,
				Failures: 2, Fetching: true}},
			wantStatus: "Offline, retrying now… · expires in 2h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "offline retry due",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(2 * time.Hour), Err: refused,
				Failures: 2, NextAttempt: now.Add(-time.Second)}},
			wantStatus: "Offline, retrying now… · expires in 2h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name:       "offline without token",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Err: refused, Failures: 1, NextAttempt: in40s}},
			wantStatus: "Offline, retrying in 40s", wantIcon: assets.StateError,
		},
		{
			name: "rate limited",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(time.Hour), Err: busy,
				Failures: 1, NextAttempt: now.Add(30 * time.Second)}},
			wantStatus: "Server busy (429), retrying in 30s · expires in 1h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "garbage response",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(time.Hour), Err: garbage,
				Failures: 2, NextAttempt: in40s}},
			wantStatus: "Bad server response, retrying in 40s · expires in 1h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name: "rejected with valid token",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(time.Hour), Err: rejected,
				Failures: 1}},
			wantStatus: "Credentials rejected · expires in 1h 0m", wantIcon: assets.StateBusy, wantBearer: true,
		},
		{
			name:       "rejected and retried by hand",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Err: rejected, Failures: 1, Fetching: true}},
			wantStatus: "Credentials rejected, retrying now…", wantIcon: assets.StateError,
		},
		{
			name:       "clock ahead",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: skewed(5*time.Minute + 3*time.Second)}},
			wantStatus: "Expires in 1h 0m · clock 5m 3s ahead", wantIcon: assets.StateValid, wantBearer: true,
		},
		{
			name:       "clock behind",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: skewed(-3 * time.Hour)}},
			wantStatus: "Expires in 1h 0m · clock 3h 0m behind", wantIcon: assets.StateValid, wantBearer: true,
		},
		{
			name:       "clock within limit",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: skewed(2 * time.Minute)}},
			wantStatus: "Expires in 1h 0m", wantIcon: assets.StateValid, wantBearer: true,
		},
		{
			name:       "expired",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(-time.Second)}},
			wantStatus: "Token expired", wantIcon: assets.StateError,
		},
		{
			name: "expired and failing",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: token(-time.Second), Err: serverDown,
				Failures: 4, NextAttempt: in40s}},
			wantStatus: "Server error 503, retrying in 40s · token expired", wantIcon: assets.StateError,
		},
		{
			name:       "rejected",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Err: rejected, Failures: 1}},
			wantStatus: "Credentials rejected: update the secret, then choose Refresh token now", wantIcon: assets.StateError,
		},
		{
			name:       "first fetch",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Fetching: true}},
			wantStatus: "Fetching token…", wantIcon: assets.StateBusy,
		},
		{
			name:       "legacy",
			in:         Input{Profile: "p", Snapshot: auth.Snapshot{Legacy: true, Token: token(time.Hour)}},
			wantStatus: "Legacy Basic auth: no token", wantIcon: assets.StateLegacy,
		},
		{
			name:       "keyring locked",
			in:         Input{Profile: "p", LoadErr: fmt.Errorf("read: %w", auth.ErrKeyringLocked)},
			wantStatus: "Keyring locked", wantIcon: assets.StateError,
		},
		{
			name:       "loading at start",
			in:         Input{Loading: true},
			wantStatus: "Loading profile…", wantIcon: assets.StateBusy,
		},
		{
			name:       "switching profile",
			in:         Input{Profile: "next", Loading: true, Snapshot: auth.Snapshot{Token: token(time.Hour)}},
			wantStatus: "Loading profile next…", wantIcon: assets.StateBusy,
		},
		{
			name:       "keyring slow to answer",
			in:         Input{Profile: "p", Loading: true, LoadStarted: now.Add(-KeyringWaitNotice)},
			wantStatus: "Waiting for the keyring… (unlock it if asked)", wantIcon: assets.StateBusy,
		},
		{
			name:       "keyring not yet slow",
			in:         Input{Profile: "p", Loading: true, LoadStarted: now.Add(-KeyringWaitNotice + time.Millisecond)},
			wantStatus: "Loading profile p…", wantIcon: assets.StateBusy,
		},
		{
			name:       "no profile",
			in:         Input{},
			wantStatus: "No profile: use Add Athos credentials…", wantIcon: assets.StateIdle,
		},
		{
			name:       "flash",
			in:         Input{Profile: "p", Flash: "Bearer header copied", Snapshot: auth.Snapshot{Token: token(time.Hour)}},
			wantStatus: "Bearer header copied", wantIcon: assets.StateValid, wantBearer: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.RefreshMargin = 5 * time.Minute
			v := Render(tt.in, now)
			if v.Status != tt.wantStatus {
				t.Errorf("Status = %q, want %q", v.Status, tt.wantStatus)
			}
			if v.Icon != tt.wantIcon {
				t.Errorf("Icon = %v, want %v", v.Icon, tt.wantIcon)
			}
			if v.BearerEnabled != tt.wantBearer {
				t.Errorf("BearerEnabled = %v, want %v", v.BearerEnabled, tt.wantBearer)
			}
		})
	}
}

func TestRenderItemsPerMode(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	legacy := Render(Input{Profile: "p", Snapshot: auth.Snapshot{Legacy: true}}, now)
	if legacy.BearerEnabled || !legacy.BasicEnabled || !legacy.LegacyChecked || !legacy.LegacyEnabled {
		t.Errorf("legacy view = %+v, want Bearer off, Basic on, legacy checked", legacy)
	}

	locked := Render(Input{Profile: "p", LoadErr: auth.ErrKeyringLocked}, now)
	if locked.BasicEnabled || locked.LegacyEnabled || !locked.RefreshEnabled {
		t.Errorf("locked keyring view = %+v, want copy items off and Refresh on to retry", locked)
	}

	switching := Render(Input{Profile: "next", Loading: true}, now)
	if switching.BasicEnabled || switching.RefreshEnabled || switching.LegacyEnabled || switching.Profile != "Profile: next" {
		t.Errorf("view while loading = %+v, want actions off and the new profile named", switching)
	}

	none := Render(Input{}, now)
	if none.BasicEnabled || none.RefreshEnabled || none.Profile != "No profile" {
		t.Errorf("no-profile view = %+v, want everything off", none)
	}

	sandbox := Render(Input{Profile: "Sandbox", Sandbox: true}, now)
	if !strings.Contains(sandbox.Profile, "Sandbox") || !strings.Contains(sandbox.Tooltip, "sandbox") {
		t.Errorf("sandbox view = %q / %q, want it labelled as sandbox", sandbox.Profile, sandbox.Tooltip)
	}
}

func TestRenderTooltip(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	tok := auth.Token{AccessToken: "eyX", ExpiresIn: 12 * time.Hour, ReceivedAt: now}

	v := Render(Input{Profile: "production", Snapshot: auth.Snapshot{Token: tok}}, now)
	want := "Athos Token Tray: production\nToken valid until 21:00"
	if v.Tooltip != want {
		t.Errorf("Tooltip = %q, want %q", v.Tooltip, want)
	}

	tomorrow := Render(Input{Profile: "p", Snapshot: auth.Snapshot{Token: tok}}, now.Add(-10*time.Hour))
	if !strings.Contains(tomorrow.Tooltip, "Mon 21:00") {
		t.Errorf("Tooltip for an expiry on another day = %q, want the weekday", tomorrow.Tooltip)
	}
	if strings.Contains(v.Tooltip, "eyX") {
		t.Errorf("Tooltip %q contains the token", v.Tooltip)
	}
}

func TestRenderTooltipProblems(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	tok := auth.Token{AccessToken: "eyX", ExpiresIn: 12 * time.Hour, ReceivedAt: now}
	skewed := tok
	skewed.ServerExpiresAt = tok.Expiry().Add(4 * time.Minute)
	rejected := fmt.Errorf("x: %w", &auth.StatusError{StatusCode: 401})
	refused := fmt.Errorf("x: %w", auth.ErrNetwork)

	tests := []struct {
		name string
		in   Input
		want string
	}{
		{
			name: "offline",
			in: Input{Profile: "p", Snapshot: auth.Snapshot{Token: tok, Err: refused, Failures: 1,
				NextAttempt: now.Add(40 * time.Second)}},
			want: "Athos Token Tray: p\nOffline, retrying in 40s · expires in 12h 0m\nToken still valid until 21:00",
		},
		{
			name: "rejected",
			in:   Input{Profile: "p", Snapshot: auth.Snapshot{Err: rejected, Failures: 1}},
			want: "Athos Token Tray: p\nCredentials rejected: update the secret, then choose Refresh token now\n" +
				"To retry, update the secret, then choose Refresh token now.",
		},
		{
			name: "clock behind",
			in:   Input{Profile: "p", Snapshot: auth.Snapshot{Token: skewed}},
			want: "Athos Token Tray: p\nToken valid until 21:00\n" +
				"Local clock is 4m 0s behind the server; the countdown follows the server's expiresIn",
		},
		{
			name: "keyring slow during reload",
			in:   Input{Profile: "p", Snapshot: auth.Snapshot{Token: tok}, LoadStarted: now.Add(-5 * time.Second)},
			want: "Athos Token Tray: p\nToken valid until 21:00\nWaiting for the keyring… (unlock it if asked)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Render(tt.in, now).Tooltip; got != tt.want {
				t.Errorf("Tooltip = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSkewText(t *testing.T) {
	tests := []struct {
		skew time.Duration
		want string
	}{
		{5*time.Minute + 3*time.Second, "5m 3s ahead"},
		{-5*time.Minute - 3*time.Second, "5m 3s behind"},
		{-2*time.Hour - 10*time.Minute, "2h 10m behind"},
		{2*time.Minute + 400*time.Millisecond, "2m 0s ahead"},
		{59*time.Minute + 59*time.Second, "1h 0m ahead"},
	}
	for _, tt := range tests {
		if got := SkewText(tt.skew); got != tt.want {
			t.Errorf("SkewText(%v) = %q, want %q", tt.skew, got, tt.want)
		}
	}
}

func TestDescribe(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{nil, ""},
		{fmt.Errorf("x: %w", &auth.StatusError{StatusCode: 403}), "Credentials rejected"},
		{fmt.Errorf("x: %w", &auth.StatusError{StatusCode: 429}), "Server error 429"},
		{fmt.Errorf("x: %w", &auth.StatusError{StatusCode: 404}), "Server answered 404"},
		{fmt.Errorf("x: %w", auth.ErrTimeout), "Server timed out"},
		{fmt.Errorf("x: %w", auth.ErrNetwork), "Server unreachable"},
		{fmt.Errorf("x: %w", auth.ErrTLS), "Secure connection failed"},
		{&auth.ConfigAside{Path: "p", Aside: "p.broken-1"}, "Profile file broken, moved aside (see log)"},
		{fmt.Errorf("x: %w", auth.ErrMalformedResponse), "Bad server response"},
		{fmt.Errorf("x: %w", auth.ErrSecretNotFound), "Secret missing from keyring"},
		{fmt.Errorf("x: %w", auth.ErrKeyringUnavailable), "No keyring service"},
		{auth.ErrLegacyMode, "Legacy Basic auth is on"},
		{errors.New("odd"), "Error (see log)"},
	}
	for _, tt := range tests {
		if got := Describe(tt.err); got != tt.want {
			t.Errorf("Describe(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
