package auth

import (
	"fmt"
	"os"
	"path/filepath"
)

// checkSessionBus fails when no D-Bus session bus is configured. Without
// this check, godbus would autolaunch a private bus with a keyring daemon
// that no other program uses, and the secret would be stored there.
func checkSessionBus() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return nil
		}
	}
	return fmt.Errorf("%w: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); "+
		"run this from a desktop session, or start one with 'dbus-run-session -- COMMAND'", ErrKeyringUnavailable)
}
