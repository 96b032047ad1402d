package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/internal/autostart"
	"github.com/athos-tray/athos-tray/internal/settings"
	"github.com/athos-tray/athos-tray/ui"
)

const windowUsage = `Usage: athos-tray window NAME [PROFILE]

Opens one window of the tray. The tray starts these from its menu; each
runs until its window is closed.

Windows:
  credentials [PROFILE]  add a profile, or edit PROFILE
  profiles               add, edit, rename, duplicate and remove profiles
  token PROFILE          details of PROFILE's access token, which the tray
                         writes to standard input as one JSON object per
                         line, a new line each time the token changes
  settings               copy format, clipboard clearing, notifications
                         and start at login
`

// runWindow opens one of the Fyne windows in this process. Secrets reach
// it only through the keyring or standard input.
func runWindow(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "window", windowUsage)
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) == 0 {
		return usagef("window: missing window name; use credentials, profiles, token or settings")
	}
	name, rest := positional[0], positional[1:]

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	saver := auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets}

	switch {
	case name == ui.WindowCredentials && len(rest) <= 1:
		profile := ""
		if len(rest) == 1 {
			profile = rest[0]
		}
		return ui.RunCredentialsWindow(ctx, saver, profile)
	case name == ui.WindowProfiles && len(rest) == 0:
		return ui.RunProfilesWindow(ctx, saver)
	case name == ui.WindowToken && len(rest) == 1:
		updates := ui.NewTokenDetailsReader(env.Stdin, rest[0])
		details, err := updates.Next()
		if errors.Is(err, io.EOF) {
			return errors.New("window token: no token details on standard input; open this window from the " +
				"tray's Token details… item")
		}
		if err != nil {
			return err
		}
		return ui.RunTokenWindow(ctx, details, updates, ui.SystemClipboard())
	case name == ui.WindowSettings && len(rest) == 0:
		return ui.RunSettingsWindow(ctx, settings.StoreBeside(env.Store.Path), startAtLogin())
	case name == ui.WindowToken:
		return usagef("window: token takes one profile name")
	}
	return usagef("window: unknown window %q or wrong arguments; see 'athos-tray window --help'", name)
}

// startAtLogin registers this program with the 'tray' command.
func startAtLogin() ui.StartAtLogin {
	return ui.StartAtLogin{
		Enable: func() error {
			self, err := os.Executable()
			if err != nil {
				return err
			}
			return autostart.Enable(autostart.Entry{Executable: self, Args: []string{"tray"}})
		},
		Disable:  autostart.Disable,
		Enabled:  autostart.Enabled,
		Location: autostart.Location(),
	}
}
