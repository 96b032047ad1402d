package ui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/internal/notify"
	"github.com/athos-tray/athos-tray/internal/settings"
)

func TestNotificationMessage(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	tok := auth.Token{AccessToken: "eyJsecret-token", ExpiresIn: 12 * time.Hour, ReceivedAt: now.Add(-12*time.Hour + 12*time.Minute)}
	refused := fmt.Errorf("x: %w", auth.ErrNetwork)
	rejected := fmt.Errorf("x: %w", &auth.StatusError{StatusCode: 401})

	tests := []struct {
		name      string
		kind      notify.Kind
		snap      auth.Snapshot
		wantTitle string
		wantBody  string
	}{
		{
			name:      "failing while offline",
			kind:      notify.RefreshFailing,
			snap:      auth.Snapshot{Profile: "work", Token: tok, Err: refused},
			wantTitle: "Athos token expires soon",
			wantBody:  "Profile work: the token expires in 12m and the refresh failed (Server unreachable). The tray keeps retrying.",
		},
		{
			name:      "failing after rejection",
			kind:      notify.RefreshFailing,
			snap:      auth.Snapshot{Profile: "work", Token: tok, Err: rejected},
			wantTitle: "Athos token expires soon",
			wantBody: "Profile work: the token expires in 12m and the refresh failed (Credentials rejected). " +
				"To retry, update the secret, then choose Refresh token now.",
		},
		{
			name:      "expired",
			kind:      notify.Expired,
			snap:      auth.Snapshot{Profile: "work", Token: tok, Err: refused},
			wantTitle: "Athos token expired",
			wantBody:  "Profile work: the token expired and no new one arrived (Server unreachable).",
		},
		{
			name:      "recovered",
			kind:      notify.Recovered,
			snap:      auth.Snapshot{Profile: "work", Token: tok},
			wantTitle: "Athos token refreshed",
			wantBody:  "Profile work: a new token is valid until 09:12.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NotificationMessage(tt.kind, tt.snap, now)
			if m.Title != tt.wantTitle {
				t.Errorf("Title = %q, want %q", m.Title, tt.wantTitle)
			}
			if m.Body != tt.wantBody {
				t.Errorf("Body = %q, want %q", m.Body, tt.wantBody)
			}
			if strings.Contains(m.Title+m.Body, tok.AccessToken) {
				t.Errorf("notification contains the token")
			}
		})
	}
}

func TestNotifyStateInactive(t *testing.T) {
	snap := auth.Snapshot{Profile: "work", Legacy: true}
	if notifyState(snap, true).Active {
		t.Errorf("legacy profile is active for notifications, want inactive")
	}
	snap.Legacy = false
	if notifyState(snap, false).Active {
		t.Errorf("profile that is not loaded is active for notifications, want inactive")
	}
	if !notifyState(snap, true).Active {
		t.Errorf("loaded token profile is inactive for notifications, want active")
	}
}

// recordingSender collects sent notifications on a channel.
type recordingSender chan notify.Message

func (r recordingSender) Send(ctx context.Context, m notify.Message) error {
	r <- m
	return nil
}

func TestTrayNotificationSwitch(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.Local)
	failing := auth.Snapshot{
		Profile: "work",
		Token:   auth.Token{AccessToken: "eyX", ExpiresIn: 12 * time.Hour, ReceivedAt: now.Add(-12*time.Hour + 10*time.Minute)},
		Err:     fmt.Errorf("x: %w", auth.ErrNetwork),
	}

	for _, enabled := range []bool{true, false} {
		t.Run(fmt.Sprintf("enabled=%v", enabled), func(t *testing.T) {
			sent := make(recordingSender, 4)
			tr := &tray{
				ctx:      t.Context(),
				log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
				loaded:   true,
				opts:     Options{Notifier: sent},
				settings: settings.Settings{Notifications: enabled},
			}
			tr.checkNotifications(failing, now)
			tr.checkNotifications(failing, now.Add(time.Minute))

			if !enabled {
				// Without notifications no send goroutine starts, so the
				// channel stays empty.
				if len(sent) != 0 {
					t.Errorf("%d notifications sent while notifications are off", len(sent))
				}
				return
			}
			select {
			case m := <-sent:
				if m.Title != "Athos token expires soon" {
					t.Errorf("Title = %q, want %q", m.Title, "Athos token expires soon")
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("no notification sent")
			}
			if len(sent) != 0 {
				t.Errorf("%d more notifications for the same outage, want none", len(sent))
			}
		})
	}
}
