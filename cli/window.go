package cli

import (
	"context"
)

// runWindow opens one of the Fyne windows in this process; the tray starts
// it as a child process.
func runWindow(ctx context.Context, args []string, env Env) error {
	if len(args) != 1 || args[0] != "profiles" {
		return usagef("window: expected 'profiles'")
	}
	return usagef("window: not available")
}
