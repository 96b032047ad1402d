package cli

import (
	"context"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/ui"
)

// runWindow opens one of the Fyne windows in this process. The tray starts
// it as a child process; the window reads profiles and secrets itself.
func runWindow(_ context.Context, args []string, env Env) error {
	if len(args) != 1 || args[0] != "profiles" {
		return usagef("window: expected 'profiles'")
	}
	return ui.RunProfilesWindow(auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets})
}
