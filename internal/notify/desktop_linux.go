package notify

import (
	"context"
	"fmt"

	"github.com/godbus/dbus/v5"
)

const (
	serviceName = "org.freedesktop.Notifications"
	servicePath = dbus.ObjectPath("/org/freedesktop/Notifications")
)

// Desktop returns the Sender of the desktop session: the
// org.freedesktop.Notifications service on the session bus.
func Desktop() Sender {
	return SenderFunc(sendDBus)
}

// sendDBus calls Notify on the shared session-bus connection. It needs no
// connection of its own, and the call returns once the service has queued
// the notification.
func sendDBus(ctx context.Context, m Message) error {
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("send notification: connect to the session bus: %w", err)
	}
	call := conn.Object(serviceName, servicePath).CallWithContext(ctx, serviceName+".Notify", 0,
		AppName,                   // app_name
		uint32(0),                 // replaces_id
		"",                        // app_icon
		m.Title,                   // summary
		m.Body,                    // body
		[]string{},                // actions
		map[string]dbus.Variant{}, // hints
		int32(-1),                 // expire_timeout: the server's default
	)
	if call.Err != nil {
		return fmt.Errorf("send notification through %s: %w", serviceName, call.Err)
	}
	return nil
}
