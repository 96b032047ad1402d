// Package ui shows the state of an auth.Manager in the system tray and
// turns menu clicks into requests to it.
package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/athos-tray/athos-tray/assets"
	"github.com/athos-tray/athos-tray/auth"
)

// Menu labels that tests and people look items up by.
const (
	LabelCopyBearer = "Copy Bearer header"
	LabelCopyBasic  = "Copy legacy Basic header"
	LabelRefresh    = "Refresh token now"
	LabelLegacy     = "Legacy Basic auth"
	// Items that open windows.
	LabelAddCredentials = "Add Athos credentials…"
	LabelTokenDetails   = "Token details…"
	LabelManageProfiles = "Manage profiles…"
	LabelSettings       = "Settings…"
	LabelQuit           = "Quit"
)

// secondsThreshold is the time left below which the countdown shows seconds.
const secondsThreshold = 10 * time.Minute

const (
	// KeyringWaitNotice is how long a profile may load before the status
	// line names the keyring as the cause. Reading the profile file
	// takes milliseconds, so a longer wait is the keyring: an unlock prompt,
	// or a Secret Service that does not respond.
	KeyringWaitNotice = 3 * time.Second
	// KeyringWaitText is the status line while the keyring keeps a profile
	// from loading.
	KeyringWaitText = "Waiting for the keyring… (unlock it if asked)"
	// ClockSkewLimit is the difference between the server's expiresAt and
	// the local estimate of expiry above which the tray reports that the
	// local clock is off.
	ClockSkewLimit = 2 * time.Minute
	// RejectedHint is the advice on how to recover from rejected credentials.
	RejectedHint = "update the secret, then choose " + LabelRefresh
)

// Input is the tray's state at one moment, apart from the clock.
type Input struct {
	Snapshot auth.Snapshot
	// Profile is the active profile's name, empty when none is configured.
	Profile string
	// Sandbox reports whether the tray talks to the built-in emulator.
	Sandbox bool
	// LoadErr is the error that stopped the active profile from loading,
	// such as a locked keyring.
	LoadErr error
	// Loading reports that the profile named Profile is being read from
	// the profile file and the keyring, which may wait for an unlock prompt.
	Loading bool
	// LoadStarted is when the current profile load began, zero when none
	// runs. A loaded profile may be reloading in the background.
	LoadStarted time.Time
	// Flash is a short message that replaces the status line for a moment,
	// such as the result of a copy.
	Flash string
	// RefreshMargin is how long before expiry the manager refreshes.
	RefreshMargin time.Duration
}

// View is everything the tray shows for one Input.
type View struct {
	Icon           assets.State
	Tooltip        string
	Status         string
	Profile        string
	BearerEnabled  bool
	BasicEnabled   bool
	RefreshEnabled bool
	LegacyEnabled  bool
	LegacyChecked  bool
}

// Render computes the tray's View for in at now. It is a pure function so
// that every label can be tested without a desktop.
func Render(in Input, now time.Time) View {
	snap := in.Snapshot
	loaded := in.Profile != "" && in.LoadErr == nil && !in.Loading
	v := View{
		Profile:        profileLabel(in),
		BasicEnabled:   loaded,
		RefreshEnabled: loaded || in.LoadErr != nil,
		LegacyEnabled:  loaded,
		LegacyChecked:  snap.Legacy,
	}
	v.Icon, v.Status = status(in, now)
	v.BearerEnabled = loaded && !snap.Legacy && snap.Token.Valid(now)
	v.Tooltip = tooltip(in, now)

	if in.Flash != "" {
		v.Status = in.Flash
	}
	return v
}

func profileLabel(in Input) string {
	switch {
	case in.Sandbox:
		return "Sandbox: built-in emulator, demo credentials"
	case in.Profile == "" && in.Loading:
		return "Profile: …"
	case in.Profile == "":
		return "No profile"
	}
	return "Profile: " + in.Profile
}

// status returns the icon and the status line.
func status(in Input, now time.Time) (assets.State, string) {
	snap := in.Snapshot
	switch {
	case in.LoadErr != nil:
		return assets.StateError, Describe(in.LoadErr)
	case in.Loading && keyringWaiting(in, now):
		return assets.StateBusy, KeyringWaitText
	case in.Loading && in.Profile != "":
		return assets.StateBusy, "Loading profile " + in.Profile + "…"
	case in.Loading:
		return assets.StateBusy, "Loading profile…"
	case in.Profile == "":
		return assets.StateIdle, "No profile: use " + LabelAddCredentials
	case snap.Legacy:
		return assets.StateLegacy, "Legacy Basic auth: no token"
	}

	valid := snap.Token.Valid(now)
	if snap.Err != nil {
		return failureStatus(snap, valid, now)
	}
	if !valid {
		switch {
		case snap.Fetching && snap.Token.AccessToken == "":
			return assets.StateBusy, "Fetching token…"
		case snap.Fetching:
			return assets.StateBusy, "Token expired, refreshing…"
		case snap.Token.AccessToken != "":
			return assets.StateError, "Token expired"
		}
		return assets.StateBusy, "Waiting for token…"
	}

	left := snap.Token.Expiry().Sub(now)
	line := "Expires in " + Countdown(left)
	icon := assets.StateValid
	if left <= in.RefreshMargin || snap.Fetching {
		icon = assets.StateBusy
	}
	switch {
	case snap.Fetching:
		line += " · refreshing…"
	case clockOff(snap.Token):
		line += " · clock " + SkewText(auth.ClockSkew(snap.Token))
	}
	return icon, line
}

// failureStatus returns the icon and status line after a failed request.
// The line leads with the problem and the next step, and ends with the time
// left on a token that is still valid, because that token can still be
// copied.
func failureStatus(snap auth.Snapshot, valid bool, now time.Time) (assets.State, string) {
	var line string
	switch {
	case snap.Rejected() && snap.Fetching:
		line = "Credentials rejected, retrying now…"
	case snap.Rejected() && valid:
		line = "Credentials rejected"
	case snap.Rejected():
		line = "Credentials rejected: " + RejectedHint
	case !retryable(snap.Err) && snap.NextAttempt.IsZero():
		line = Describe(snap.Err)
	default:
		line = problem(snap.Err) + ", " + retryText(snap, now)
	}

	switch {
	case valid:
		return assets.StateBusy, line + " · expires in " + Countdown(snap.Token.Expiry().Sub(now))
	case snap.Token.AccessToken != "":
		return assets.StateError, line + " · token expired"
	}
	return assets.StateError, line
}

// retryable reports whether err is a failure that the manager retries on
// its own: the network, a timeout, a 5xx or 429 response, or a malformed
// response.
func retryable(err error) bool {
	return errors.Is(err, auth.ErrNetwork) || errors.Is(err, auth.ErrTimeout) ||
		errors.Is(err, auth.ErrServer) || errors.Is(err, auth.ErrMalformedResponse)
}

// offline reports whether err means that the server could not be reached:
// a connection, DNS or TLS failure, or a timeout.
func offline(err error) bool {
	return errors.Is(err, auth.ErrNetwork) || errors.Is(err, auth.ErrTimeout)
}

// problem names a retryable failure in a few words.
func problem(err error) string {
	var status *auth.StatusError
	switch {
	case offline(err):
		return "Offline"
	case errors.As(err, &status) && status.StatusCode == 429:
		return "Server busy (429)"
	}
	return Describe(err)
}

// retryText returns when the manager sends its next request.
func retryText(snap auth.Snapshot, now time.Time) string {
	switch {
	case snap.Fetching:
		return "retrying now…"
	case snap.NextAttempt.IsZero():
		return "not retrying; choose " + LabelRefresh
	}
	wait := snap.NextAttempt.Sub(now)
	if wait <= 0 {
		return "retrying now…"
	}
	// Whole seconds, rounded up, so that the line never shows 0s while a
	// retry is still ahead.
	return "retrying in " + Countdown((wait+time.Second-1)/time.Second*time.Second)
}

// keyringWaiting reports whether the profile has been loading for so long
// that the keyring must be waiting for an unlock prompt or hanging.
func keyringWaiting(in Input, now time.Time) bool {
	return !in.LoadStarted.IsZero() && now.Sub(in.LoadStarted) >= KeyringWaitNotice
}

// clockOff reports whether tok's expiresAt differs from the local estimate
// by more than ClockSkewLimit.
func clockOff(tok auth.Token) bool {
	skew := auth.ClockSkew(tok)
	return skew > ClockSkewLimit || skew < -ClockSkewLimit
}

// SkewText describes a clock skew from auth.ClockSkew, such as "5m 3s
// ahead" or "2h 10m behind", measured against the server's clock.
func SkewText(skew time.Duration) string {
	direction := "ahead"
	if skew < 0 {
		direction, skew = "behind", -skew
	}
	// Countdown drops partial units, and the skew is only known to about a
	// second, so round to the smallest unit that Countdown shows.
	if skew >= secondsThreshold {
		skew = skew.Round(time.Minute)
	}
	return Countdown(skew.Round(time.Second)) + " " + direction
}

// ClockSkewSentence returns how far the local clock is off, such as "Local
// clock is 5m 3s ahead of the server".
func ClockSkewSentence(skew time.Duration) string {
	if skew < 0 {
		return "Local clock is " + SkewText(skew) + " the server"
	}
	return "Local clock is " + SkewText(skew) + " of the server"
}

// Countdown formats the time left on a token: hours and minutes, or minutes
// and seconds under ten minutes. Partial units are dropped, so the label
// never promises more time than is left.
func Countdown(left time.Duration) string {
	if left < 0 {
		left = 0
	}
	if left < secondsThreshold {
		minutes := int(left / time.Minute)
		seconds := int(left % time.Minute / time.Second)
		if minutes == 0 {
			return fmt.Sprintf("%ds", seconds)
		}
		return fmt.Sprintf("%dm %ds", minutes, seconds)
	}
	hours := int(left / time.Hour)
	minutes := int(left % time.Hour / time.Minute)
	if hours == 0 {
		return fmt.Sprintf("%dm", minutes)
	}
	return fmt.Sprintf("%dh %dm", hours, minutes)
}

func tooltip(in Input, now time.Time) string {
	title := "Athos Token Tray"
	switch {
	case in.Sandbox:
		title += " (sandbox: built-in emulator)"
	case in.Profile != "":
		title += ": " + in.Profile
	}

	snap := in.Snapshot
	lines := []string{title}
	switch {
	case in.Profile == "" || in.Loading || in.LoadErr != nil || snap.Legacy:
		_, detail := status(in, now)
		lines = append(lines, detail)
	case snap.Err != nil:
		_, detail := status(in, now)
		lines = append(lines, detail)
		if snap.Token.Valid(now) {
			lines = append(lines, "Token still valid until "+clockTime(snap.Token.Expiry(), now))
		}
		if snap.Rejected() {
			lines = append(lines, "To retry, "+RejectedHint+".")
		}
	case snap.Token.Valid(now):
		lines = append(lines, "Token valid until "+clockTime(snap.Token.Expiry(), now))
	default:
		_, detail := status(in, now)
		lines = append(lines, detail)
	}

	if !in.Loading && !snap.Legacy && snap.Token.AccessToken != "" && clockOff(snap.Token) {
		lines = append(lines, ClockSkewSentence(auth.ClockSkew(snap.Token))+
			"; the countdown follows the server's expiresIn")
	}
	if !in.Loading && keyringWaiting(in, now) {
		lines = append(lines, KeyringWaitText)
	}
	return strings.Join(lines, "\n")
}

// clockTime formats t in local time, with the weekday when t is not today.
func clockTime(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04")
	}
	return t.Format("Mon 15:04")
}

// Describe returns err in a few words for a menu line. The full error goes
// to the log and the command line.
func Describe(err error) string {
	var status *auth.StatusError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, auth.ErrCredentialsRejected):
		return "Credentials rejected"
	case errors.Is(err, auth.ErrTimeout):
		return "Server timed out"
	case errors.Is(err, auth.ErrTLS):
		return "Secure connection failed"
	case errors.Is(err, auth.ErrNetwork):
		return "Server unreachable"
	case errors.As(err, &status) && errors.Is(err, auth.ErrServer):
		return fmt.Sprintf("Server error %d", status.StatusCode)
	case errors.Is(err, auth.ErrMalformedResponse):
		return "Bad server response"
	case errors.Is(err, auth.ErrInvalidInput):
		return "Invalid profile settings"
	case errors.Is(err, auth.ErrSecretNotFound):
		return "Secret missing from keyring"
	case errors.Is(err, auth.ErrKeyringLocked):
		return "Keyring locked"
	case errors.Is(err, auth.ErrKeyringUnavailable):
		return "No keyring service"
	case errors.Is(err, auth.ErrLegacyMode):
		return "Legacy Basic auth is on"
	case errors.Is(err, auth.ErrProfileNotFound):
		return "Profile not found"
	case errors.Is(err, auth.ErrConfigMovedAside):
		return "Profile file broken, moved aside (see log)"
	case errors.Is(err, auth.ErrConfigUnreadable):
		return "Profile file unreadable"
	case errors.As(err, &status):
		return fmt.Sprintf("Server answered %d", status.StatusCode)
	}
	return "Error (see log)"
}
