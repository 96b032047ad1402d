package cli

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/ui"
)

// runWindow opens one of the Fyne windows in this process. The tray starts
// it as a child process, and the window reads profiles and secrets itself.
func runWindow(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "window", "Usage: athos-tray window profiles\n\n"+
		"Opens the profile window. The tray starts it from its menu.\n")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 || positional[0] != "profiles" {
		return usagef("window: expected 'profiles'")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return ui.RunProfilesWindow(ctx, auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets})
}
