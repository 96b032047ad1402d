package ui

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/godbus/dbus/v5"
)

// watcherName is the D-Bus name of the StatusNotifierItem watcher that a
// tray host such as KDE Plasma, xfce4-panel or GNOME's AppIndicator
// extension owns.
const watcherName = "org.kde.StatusNotifierWatcher"

// checkTrayHost fails when there is no session bus, and warns when no tray
// host is running: the icon then appears once a host starts, because
// fyne.io/systray registers again when the watcher name gets an owner.
func checkTrayHost(log *slog.Logger) error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && !runtimeBusExists() {
		return fmt.Errorf("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set); " +
			"start the tray from a desktop session")
	}
	conn, err := dbus.SessionBus()
	if err != nil {
		return fmt.Errorf("connect to the D-Bus session bus: %w; start the tray from a desktop session "+
			"(DBUS_SESSION_BUS_ADDRESS must be set)", err)
	}

	var hasOwner bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, watcherName).Store(&hasOwner)
	if err != nil {
		return fmt.Errorf("look for a tray host on the session bus: %w", err)
	}
	if !hasOwner {
		log.Warn("no system tray host found on the session bus", "name", watcherName)
		fmt.Fprintf(os.Stderr, "athos-tray: no system tray host is running, so the icon is not visible yet.\n"+
			"  On GNOME, install and enable the AppIndicator extension:\n"+
			"    sudo apt install gnome-shell-extension-appindicator\n"+
			"    gnome-extensions enable ubuntu-appindicators@ubuntu.com\n"+
			"  then log out and in. KDE Plasma, xfce and Cinnamon have a tray host built in.\n"+
			"  The icon appears as soon as a tray host starts; 'athos-tray token' and\n"+
			"  'athos-tray header' work without one.\n")
	}
	return nil
}

// runtimeBusExists reports whether the systemd user bus socket exists,
// which godbus uses when DBUS_SESSION_BUS_ADDRESS is unset.
func runtimeBusExists() bool {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		return false
	}
	_, err := os.Stat(filepath.Join(dir, "bus"))
	return err == nil
}
