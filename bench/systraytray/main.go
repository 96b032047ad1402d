//go:build benchref

// Command systraytray is the benchmark's reference for a tray made with
// fyne.io/systray alone. Its menu matches the Athos tray's in size, and its
// status line counts down like the Athos tray's: a one-second ticker that
// changes the label only when its text changes.
package main

import (
	"fmt"
	"time"

	"fyne.io/systray"

	"github.com/athos-tray/athos-tray/assets"
)

const tokenLifetime = 12 * time.Hour

func main() {
	systray.Run(onReady, nil)
}

func onReady() {
	systray.SetTitle("Reference tray (fyne.io/systray)")
	systray.SetIcon(assets.TrayIcon(assets.StateValid))
	systray.SetTooltip("Reference tray")

	systray.AddMenuItem("Profile: reference", "Active profile")
	status := systray.AddMenuItem("Starting…", "Time left")
	status.Disable()
	systray.AddSeparator()
	copyBearer := systray.AddMenuItem("Copy Bearer header", "")
	copyBasic := systray.AddMenuItem("Copy legacy Basic header", "")
	refresh := systray.AddMenuItem("Refresh token now", "")
	systray.AddMenuItemCheckbox("Legacy Basic auth", "", false)
	systray.AddSeparator()
	quit := systray.AddMenuItem("Quit", "")

	expiry := time.Now().Add(tokenLifetime)
	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		shown := ""
		for {
			select {
			case <-ticker.C:
			case <-copyBearer.ClickedCh:
			case <-copyBasic.ClickedCh:
			case <-refresh.ClickedCh:
			case <-quit.ClickedCh:
				systray.Quit()
				return
			}
			if line := countdown(time.Until(expiry)); line != shown {
				status.SetTitle(line)
				shown = line
			}
		}
	}()
}

// countdown formats the time left in whole minutes, as the Athos tray does
// while more than ten minutes remain.
func countdown(left time.Duration) string {
	minutes := int(left / time.Minute)
	return fmt.Sprintf("Expires in %dh %02dm", minutes/60, minutes%60)
}
