// Package ui shows the state of an auth.Manager in the system tray and
// turns menu clicks into requests to it.
package ui

import (
	"errors"
	"fmt"
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
	case in.Loading && in.Profile != "":
		return assets.StateBusy, "Loading profile " + in.Profile + " (unlock the keyring if asked)…"
	case in.Loading:
		return assets.StateBusy, "Loading profile…"
	case in.Profile == "":
		return assets.StateIdle, "No profile: use " + LabelAddCredentials
	case snap.Legacy:
		return assets.StateLegacy, "Legacy Basic auth: no token"
	}

	if !snap.Token.Valid(now) {
		switch {
		case snap.Fetching && snap.Token.AccessToken == "":
			return assets.StateBusy, "Fetching token…"
		case snap.Fetching:
			return assets.StateBusy, "Token expired, refreshing…"
		case snap.Err != nil && snap.Token.AccessToken != "":
			return assets.StateError, "Token expired: " + Describe(snap.Err)
		case snap.Err != nil:
			return assets.StateError, Describe(snap.Err)
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
	case snap.Err != nil:
		icon = assets.StateBusy
		line += " · refresh failed: " + Describe(snap.Err)
	}
	return icon, line
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
	var detail string
	switch {
	case in.Profile == "" || in.Loading || in.LoadErr != nil || snap.Legacy:
		_, detail = status(in, now)
	case snap.Token.Valid(now):
		detail = "Token valid until " + clockTime(snap.Token.Expiry(), now)
	default:
		_, detail = status(in, now)
	}
	return title + "\n" + detail
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
	case errors.Is(err, auth.ErrConfigUnreadable):
		return "Profile file unreadable"
	case errors.As(err, &status):
		return fmt.Sprintf("Server answered %d", status.StatusCode)
	}
	return "Error (see log)"
}
