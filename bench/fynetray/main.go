//go:build benchref

// Command fynetray is the benchmark's reference for a tray made with Fyne's
// own desktop.App system tray and no window. Its menu matches the Athos
// tray's in size, and its status line counts down like the Athos tray's: a
// one-second ticker that changes the label only when its text changes.
package main

import (
	"fmt"
	"os"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"

	"github.com/athos-tray/athos-tray/assets"
)

const tokenLifetime = 12 * time.Hour

func main() {
	a := app.NewWithID("io.github.athos-tray.bench.fynetray")
	desk, ok := a.(desktop.App)
	if !ok {
		fmt.Fprintln(os.Stderr, "fynetray: this Fyne driver has no system tray")
		os.Exit(1)
	}

	status := fyne.NewMenuItem("Starting…", nil)
	status.Disabled = true
	noop := func() {}
	menu := fyne.NewMenu("Reference tray (Fyne)",
		fyne.NewMenuItem("Profile: reference", noop),
		status,
		fyne.NewMenuItemSeparator(),
		fyne.NewMenuItem("Copy Bearer header", noop),
		fyne.NewMenuItem("Copy legacy Basic header", noop),
		fyne.NewMenuItem("Refresh token now", noop),
		fyne.NewMenuItem("Legacy Basic auth", noop),
	)
	// Fyne adds its own Quit item at the end of a system tray menu.
	desk.SetSystemTrayIcon(fyne.NewStaticResource("icon.png", assets.TrayIcon(assets.StateValid)))
	desk.SetSystemTrayMenu(menu)

	expiry := time.Now().Add(tokenLifetime)
	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		shown := ""
		for range ticker.C {
			line := countdown(time.Until(expiry))
			if line == shown {
				continue
			}
			shown = line
			fyne.Do(func() {
				status.Label = line
				menu.Refresh()
			})
		}
	}()
	a.Run()
}

// countdown formats the time left in whole minutes, as the Athos tray does
// while more than ten minutes remain.
func countdown(left time.Duration) string {
	minutes := int(left / time.Minute)
	return fmt.Sprintf("Expires in %dh %02dm", minutes/60, minutes%60)
}
