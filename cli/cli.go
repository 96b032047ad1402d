// Package cli implements the athos-tray command line: the tray, profile
// management and the token, header and status commands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/internal/instance"
)

// Exit codes of the athos-tray command.
const (
	ExitOK       = 0
	ExitFailure  = 1 // any failure without a more specific code
	ExitUsage    = 2 // invalid command line
	ExitRejected = 3 // the server rejected the credentials
	ExitNetwork  = 4 // network failure, timeout, server error or malformed response
	ExitSetup    = 5 // no profile, unreadable profile file, invalid stored profile, missing secret, or keyring problem
	ExitRunning  = 6 // a tray already runs for the configuration folder; it was asked to show itself
)

// Env is the process environment a command runs in, injected for tests.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Store is the profile file. Zero means auth.DefaultConfigStore.
	Store auth.ConfigStore
	// Secrets defaults to the operating system's keyring.
	Secrets auth.SecretStore
}

// usageError is a mistake on the command line.
type usageError struct{ message string }

func (e usageError) Error() string { return e.message }

func usagef(format string, args ...any) error {
	return usageError{message: fmt.Sprintf(format, args...)}
}

const mainUsage = `athos-tray keeps an Athos API access token ready in the system tray.

Usage:
  athos-tray [--sandbox [--sandbox-lifetime 6m]]
                                        run the tray (the same as 'athos-tray tray')
  athos-tray profile add NAME --client-id ID [--api-url URL]
                                        add or change a profile; the client secret
                                        is read from standard input
  athos-tray profile list               list profiles; * marks the active one
  athos-tray profile use NAME           make NAME the active profile
  athos-tray profile remove NAME        remove a profile and its keyring entry
  athos-tray token                      print the access token
  athos-tray header [--legacy]          print the Authorization header line
  athos-tray status [--json]            print profile, state and expiry
  athos-tray emulator                   serve the built-in emulator on 127.0.0.1
  athos-tray version                    print the version

Run 'athos-tray COMMAND --help' for a command's options.

Exit codes: 0 success, 1 other failure, 2 usage error, 3 credentials rejected,
4 network or server failure, 5 no profile, unreadable profile file, invalid
stored profile or keyring problem, 6 a tray already runs (it was asked to
show itself).
`

// Version is the program version, set at build time with
// -ldflags "-X github.com/athos-tray/athos-tray/cli.Version=...".
var Version = "dev"

// Main runs the command in args (without the program name) and returns the
// process exit code.
func Main(ctx context.Context, args []string, env Env) int {
	if env.Secrets == nil {
		env.Secrets = auth.Keyring{}
	}
	if env.Store.Path == "" {
		store, err := auth.DefaultConfigStore()
		if err != nil {
			return fail(env, err)
		}
		env.Store = store
	}

	err := dispatch(ctx, args, env)
	if err == nil {
		return ExitOK
	}
	return fail(env, err)
}

func dispatch(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" && args[0] != "-help" {
		return runTray(ctx, args, env)
	}

	command, rest := args[0], args[1:]
	switch command {
	case "-h", "--help", "-help", "help":
		fmt.Fprint(env.Stdout, mainUsage)
		return nil
	case "tray":
		return runTray(ctx, rest, env)
	case "profile":
		return runProfile(ctx, rest, env)
	case "token":
		return runToken(ctx, rest, env)
	case "header":
		return runHeader(ctx, rest, env)
	case "status":
		return runStatus(ctx, rest, env)
	case "emulator":
		return runEmulator(ctx, rest, env)
	case "window":
		return runWindow(ctx, rest, env)
	case "version":
		fs := newFlagSet(env, "version", "Usage: athos-tray version\n\nPrints the version.\n")
		if err := parseNoArgs(fs, rest); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "athos-tray", Version)
		return nil
	}
	return usagef("unknown command %q; run 'athos-tray --help' for the list", command)
}

// fail prints err and returns its exit code.
func fail(env Env, err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	fmt.Fprintf(env.Stderr, "athos-tray: %v\n", err)
	code := exitCode(err)
	if code == ExitUsage {
		fmt.Fprintf(env.Stderr, "Run '%s --help' for usage.\n", helpCommand(err))
	}
	return code
}

// helpCommand returns the command whose help fits a usage error: the
// command named before the first colon of the message, when it is one.
func helpCommand(err error) string {
	prefix, _, _ := strings.Cut(err.Error(), ":")
	switch prefix {
	case "tray", "profile add", "profile list", "profile use", "profile remove", "profile",
		"token", "header", "status", "emulator", "window", "version":
		return "athos-tray " + prefix
	}
	return "athos-tray"
}

// exitCode maps an error to the documented exit codes.
func exitCode(err error) int {
	var usage usageError
	switch {
	case errors.Is(err, instance.ErrRunning):
		return ExitRunning
	case errors.Is(err, auth.ErrInvalidProfile), errors.Is(err, auth.ErrConfigUnreadable):
		return ExitSetup
	case errors.As(err, &usage), errors.Is(err, auth.ErrInvalidInput):
		return ExitUsage
	case errors.Is(err, auth.ErrCredentialsRejected):
		return ExitRejected
	case errors.Is(err, auth.ErrNetwork), errors.Is(err, auth.ErrTimeout),
		errors.Is(err, auth.ErrServer), errors.Is(err, auth.ErrMalformedResponse):
		return ExitNetwork
	case errors.Is(err, auth.ErrProfileNotFound), errors.Is(err, errNoProfile),
		errors.Is(err, auth.ErrSecretNotFound), errors.Is(err, auth.ErrKeyringLocked),
		errors.Is(err, auth.ErrKeyringUnavailable):
		return ExitSetup
	}
	var status *auth.StatusError
	if errors.As(err, &status) {
		return ExitNetwork
	}
	return ExitFailure
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to stdout for --help.
func newFlagSet(env Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprint(env.Stdout, usage)
		fs.SetOutput(env.Stdout)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args, allowing flags after positional arguments as
// in 'profile add NAME --client-id ID', and returns the positional ones.
// The usage text is printed for --help only, because the flag package
// would also print it for an invalid flag, onto standard output, where a
// script reading a token would capture it.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	printUsage := fs.Usage
	fs.Usage = func() {}
	defer func() { fs.Usage = printUsage }()

	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printUsage()
				return nil, err
			}
			return nil, usagef("%s: %v", fs.Name(), err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

// newLogger returns the logger for long-running commands: text lines on
// standard error.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}
