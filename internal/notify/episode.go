// Package notify shows desktop notifications about the token: the
// notification service of the desktop session on Linux
// (org.freedesktop.Notifications), and github.com/gen2brain/beeep on other
// systems. Episodes decides when to notify, so that a long outage gives one
// notification of each kind, not one per retry.
package notify

import "time"

// Kind is a kind of notification.
type Kind int

const (
	// RefreshFailing means that a refresh failed while the token has less
	// than Episodes.Threshold left.
	RefreshFailing Kind = iota + 1
	// Expired means that the token expired and no new one arrived.
	Expired
	// Recovered means that a new token arrived after a RefreshFailing or
	// Expired notification.
	Recovered
)

func (k Kind) String() string {
	switch k {
	case RefreshFailing:
		return "refresh-failing"
	case Expired:
		return "expired"
	case Recovered:
		return "recovered"
	}
	return "unknown"
}

const (
	// DefaultThreshold is the time left under which a failed refresh is
	// worth a notification.
	DefaultThreshold = 15 * time.Minute
	// expiryGrace is how long a token may stay expired without a failed
	// request before Expired is sent. After a laptop wakes, the manager
	// needs a few seconds to fetch a new token, and that is no problem
	// worth a notification.
	expiryGrace = time.Minute
)

// State is the part of the token manager's state that notifications
// depend on.
type State struct {
	// Profile is the active profile's name. A change of profile ends the
	// episode without a notification.
	Profile string
	// Active is false while no token is wanted: no profile is loaded, or
	// legacy Basic authentication is on. It ends the episode as well.
	Active bool
	// HasToken reports whether a token arrived for this profile, and
	// Expiry is when it expires.
	HasToken bool
	Expiry   time.Time
	// Failed reports that the last token request failed.
	Failed bool
}

// Episodes turns a sequence of states into notifications. An episode
// starts with the first problem and ends when a new token arrives, and it
// gives at most one notification of each kind. The zero value is ready to
// use with DefaultThreshold. Episodes has no clock of its own, so tests
// pass the time to Observe.
type Episodes struct {
	// Threshold is the time left under which a failed refresh is notified.
	// Zero means DefaultThreshold.
	Threshold time.Duration

	profile     string
	sentFailing bool
	sentExpired bool
}

// Observe returns the notifications that s calls for at now, in the order
// in which to show them.
func (e *Episodes) Observe(s State, now time.Time) []Kind {
	if !s.Active || s.Profile != e.profile {
		e.profile = s.Profile
		e.sentFailing, e.sentExpired = false, false
		if !s.Active {
			return nil
		}
	}

	threshold := e.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	valid := s.HasToken && now.Before(s.Expiry)

	var due []Kind
	switch {
	case valid && !s.Failed:
		if e.sentFailing || e.sentExpired {
			due = append(due, Recovered)
		}
		e.sentFailing, e.sentExpired = false, false
	case valid && s.Failed && s.Expiry.Sub(now) < threshold && !e.sentFailing:
		due = append(due, RefreshFailing)
		e.sentFailing = true
	case !valid && s.HasToken && !e.sentExpired && (s.Failed || now.Sub(s.Expiry) >= expiryGrace):
		due = append(due, Expired)
		e.sentExpired = true
	}
	return due
}
