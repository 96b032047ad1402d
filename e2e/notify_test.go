//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// notification is one Notify call that the fake notification server got.
type notification struct {
	app, summary, body string
}

// notificationServer owns org.freedesktop.Notifications on the session bus
// and records every notification instead of showing it.
type notificationServer struct {
	mu       sync.Mutex // guards received
	received []notification
}

// Notify implements the method of the Desktop Notifications
// Specification that programs call to show a notification.
func (n *notificationServer) Notify(app string, replaces uint32, icon, summary, body string,
	actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.received = append(n.received, notification{app: app, summary: summary, body: body})
	return uint32(len(n.received)), nil
}

func (n *notificationServer) all() []notification {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]notification(nil), n.received...)
}

func newNotificationServer(t *testing.T) *notificationServer {
	t.Helper()
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the session bus: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	n := &notificationServer{}
	if err := conn.Export(n, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		t.Fatalf("export the notification server: %v", err)
	}
	reply, err := conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("own org.freedesktop.Notifications: reply %v, error %v", reply, err)
	}
	return n
}

func summaries(list []notification) []string {
	var out []string
	for _, n := range list {
		out = append(out, n.summary)
	}
	return out
}

func TestTrayNotifiesOncePerOutage(t *testing.T) {
	notes := newNotificationServer(t)
	// Tokens live 14 minutes, under the 15 minutes below which a failed
	// refresh is worth a notification, and the refresh is due after 9.
	f, _, item, first := startFaultTray(t, emulator.Config{Lifetime: 14 * time.Minute, CacheThreshold: time.Minute})
	if got := notes.all(); len(got) != 0 {
		t.Fatalf("notifications after a normal start: %q, want none", summaries(got))
	}
	before := f.emu.Stats().TokenRequests

	f.emu.SetFailure(emulator.FailServerError)
	item.click("Refresh token now")
	waitFor(t, 15*time.Second, "notification about the failing refresh", func() (bool, string) {
		return len(notes.all()) == 1, fmt.Sprintf("notifications %q", summaries(notes.all()))
	})
	// Two more failed retries, 5s and 10s later, send no more.
	waitFor(t, 40*time.Second, "two retries", func() (bool, string) {
		n := f.emu.Stats().TokenRequests - before
		return n >= 3, fmt.Sprintf("%d requests", n)
	})
	f.emu.SetFailure(emulator.FailNone)
	item.waitForStatus(40*time.Second, clean, "countdown after recovery")
	waitFor(t, 10*time.Second, "notification about the recovery", func() (bool, string) {
		return len(notes.all()) >= 2, fmt.Sprintf("notifications %q", summaries(notes.all()))
	})

	got := notes.all()
	want := []string{"Athos token expires soon", "Athos token refreshed"}
	if strings.Join(summaries(got), "|") != strings.Join(want, "|") {
		t.Fatalf("notifications = %q, want %q", summaries(got), want)
	}
	if got[0].app != "Athos Token Tray" {
		t.Errorf("application name = %q, want Athos Token Tray", got[0].app)
	}
	if !strings.Contains(got[0].body, "Profile e2e") || !strings.Contains(got[0].body, "Server error 500") {
		t.Errorf("first notification body = %q, want the profile and the failure", got[0].body)
	}
	for _, n := range got {
		if strings.Contains(n.body, bearerToken(first)) || strings.Contains(n.body, f.secret) {
			t.Errorf("notification %q contains the token or the secret", n.summary)
		}
	}
	f.assertNoSecrets(bearerToken(first))
}

func TestTrayNotificationsOff(t *testing.T) {
	notes := newNotificationServer(t)
	s := newShell(t)
	f := newFixture(t, emulator.Config{Lifetime: 14 * time.Minute, CacheThreshold: time.Minute})
	logOutputOnFailure(t, f)
	f.addProfile("e2e")
	item, _ := f.startTray(s, "--notifications=false")
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")

	f.emu.SetFailure(emulator.FailServerError)
	item.click("Refresh token now")
	item.waitForStatus(15*time.Second, hasPrefix("Server error 500, retrying in "), "retry status")
	waitFor(t, 10*time.Second, "log line about the skipped notification", func() (bool, string) {
		return strings.Contains(f.trayLog(), "notification skipped"), "no such line in the tray log"
	})
	if got := notes.all(); len(got) != 0 {
		t.Errorf("notifications with --notifications=false: %q, want none", summaries(got))
	}
}
