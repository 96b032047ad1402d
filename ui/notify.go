package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/internal/notify"
)

// notifyTimeout bounds one notification call, so that a notification
// service that hangs cannot pile up goroutines.
const notifyTimeout = 5 * time.Second

// notifyState reduces a snapshot to what notify.Episodes needs.
func notifyState(snap auth.Snapshot, loaded bool) notify.State {
	return notify.State{
		Profile:  snap.Profile,
		Active:   loaded && snap.Profile != "" && !snap.Legacy,
		HasToken: snap.Token.AccessToken != "",
		Expiry:   snap.Token.Expiry(),
		Failed:   snap.Err != nil,
	}
}

// NotificationMessage returns the text of a notification of kind k about
// snap at now. It never contains the token.
func NotificationMessage(k notify.Kind, snap auth.Snapshot, now time.Time) notify.Message {
	profile := snap.Profile
	switch k {
	case notify.RefreshFailing:
		left := Countdown(snap.Token.Expiry().Sub(now))
		body := fmt.Sprintf("Profile %s: the token expires in %s and the refresh failed (%s).", profile, left,
			Describe(snap.Err))
		if snap.Rejected() {
			body += " To retry, " + RejectedHint + "."
		} else {
			body += " The tray keeps retrying."
		}
		return notify.Message{Title: "Athos token expires soon", Body: body}
	case notify.Expired:
		body := fmt.Sprintf("Profile %s: the token expired and no new one arrived.", profile)
		if snap.Err != nil {
			body = fmt.Sprintf("Profile %s: the token expired and no new one arrived (%s).", profile, Describe(snap.Err))
		}
		return notify.Message{Title: "Athos token expired", Body: body}
	case notify.Recovered:
		return notify.Message{
			Title: "Athos token refreshed",
			Body:  fmt.Sprintf("Profile %s: a new token is valid until %s.", profile, clockTime(snap.Token.Expiry(), now)),
		}
	}
	return notify.Message{Title: notify.AppName, Body: "Profile " + profile}
}

// checkNotifications feeds the snapshot to the episode tracker and sends
// what it calls for. It runs on the event loop and sends off it.
func (t *tray) checkNotifications(snap auth.Snapshot, now time.Time) {
	due := t.episodes.Observe(notifyState(snap, t.ready()), now)
	if len(due) == 0 {
		return
	}
	enabled := t.opts.Notifier != nil && t.notificationsEnabled()
	for _, kind := range due {
		if !enabled {
			t.log.Info("notification skipped: notifications are off", "profile", snap.Profile, "kind", kind)
			continue
		}
		message := NotificationMessage(kind, snap, now)
		go func() {
			ctx, cancel := context.WithTimeout(t.ctx, notifyTimeout)
			defer cancel()
			if err := t.opts.Notifier.Send(ctx, message); err != nil {
				t.log.Warn("notification failed", "profile", snap.Profile, "kind", kind, "err", err)
				return
			}
			t.log.Info("notification sent", "profile", snap.Profile, "kind", kind)
		}()
	}
}
