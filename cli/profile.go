package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/ui"
)

// errNoProfile means no profile is configured or none is active.
var errNoProfile = errors.New("no active profile")

// maxSecretLength bounds the secret read from standard input.
const maxSecretLength = 4096

func runProfile(ctx context.Context, args []string, env Env) error {
	if len(args) == 0 {
		return usagef("profile: missing subcommand; use add, list, use or remove")
	}
	switch args[0] {
	case "add":
		return runProfileAdd(ctx, args[1:], env)
	case "list":
		return runProfileList(args[1:], env)
	case "use":
		return runProfileUse(args[1:], env)
	case "remove":
		return runProfileRemove(args[1:], env)
	case "-h", "--help", "-help":
		fmt.Fprint(env.Stdout, profileUsage)
		return nil
	}
	return usagef("profile: unknown subcommand %q; use add, list, use or remove", args[0])
}

const profileUsage = `Usage: athos-tray profile add|list|use|remove ...

  profile add NAME --client-id ID [--api-url URL] [--legacy] [--no-verify]
                         add or change a profile; the secret is read from
                         standard input
  profile list           list profiles; * marks the active one
  profile use NAME       make NAME the active profile
  profile remove NAME    remove a profile and its keyring entry

Run 'athos-tray profile COMMAND --help' for a command's options.
`

const profileAddUsage = `Usage: athos-tray profile add NAME --client-id ID [--api-url URL] [--legacy] [--no-verify]

Adds profile NAME, or changes it when it exists. When NAME exists, options
that are not given keep their stored values (use --legacy=false to switch
legacy Basic authentication off). The client secret is read from standard
input (one line), or prompted for without echo on a terminal, and stored in
the operating system's keyring. It is never accepted as an argument. Before
saving, the credentials are checked by requesting a token, and nothing is
saved when the server rejects them.

Examples:
  printf '%s\n' "$SECRET" | athos-tray profile add production --client-id my-client
  printf '%s\n' "$NEW_SECRET" | athos-tray profile add production   # new secret, same settings

Options:
`

func runProfileAdd(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "profile add", profileAddUsage)
	clientID := fs.String("client-id", "", "client id of the Athos organisation (required for a new profile)")
	apiURL := fs.String("api-url", "", "API base URL (default "+auth.DefaultAPIURL+")")
	legacy := fs.Bool("legacy", false, "use legacy Basic authentication instead of a token")
	noVerify := fs.Bool("no-verify", false, "save without requesting a token first")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usagef("profile add: expected one profile NAME, got %d arguments", len(positional))
	}

	config, err := loadConfig(env)
	if err != nil {
		return err
	}
	profile, exists := config.Find(positional[0])
	if !exists {
		profile = auth.Profile{Name: positional[0]}
	}
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "client-id":
			profile.ClientID = *clientID
		case "api-url":
			profile.APIURL = *apiURL
		case "legacy":
			profile.Legacy = *legacy
		}
	})
	if profile.ClientID == "" {
		return usagef("profile add: missing --client-id for new profile %q; pass the client id of the Athos organisation",
			profile.Name)
	}
	if err := auth.ValidateProfile(profile); err != nil {
		return fmt.Errorf("profile add: %w", err)
	}

	secret, err := readSecret(env, profile.Name, exists)
	if err != nil {
		return err
	}

	saver := auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets}
	if err := saver.Save(ctx, profile, secret, !*noVerify); err != nil {
		if errors.Is(err, auth.ErrInvalidInput) {
			return fmt.Errorf("profile add: %w", err)
		}
		if exitCode(err) == ExitNetwork {
			return fmt.Errorf("%w (use --no-verify to save without the check)", err)
		}
		return err
	}
	fmt.Fprintf(env.Stdout, "Saved profile %q (client id %q).\n", profile.Name, profile.ClientID)
	if secret == "" {
		fmt.Fprintln(env.Stdout, "The stored client secret was kept.")
	}
	return nil
}

// readSecret reads one line from standard input, prompting without echo
// when it is a terminal. More than one non-empty line is rejected, because
// it usually means the wrong file was piped in. When keepAllowed is true, as
// for an existing profile, no input returns "", which keeps the stored
// secret.
func readSecret(env Env, profile string, keepAllowed bool) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		hint := ""
		if keepAllowed {
			hint = " (Enter keeps the stored one)"
		}
		fmt.Fprintf(env.Stderr, "Client secret for profile %q%s: ", profile, hint)
		secret, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", fmt.Errorf("read client secret from the terminal: %w", err)
		}
		return string(secret), nil
	}

	reader := bufio.NewReader(io.LimitReader(env.Stdin, 2*maxSecretLength))
	line, err := reader.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read client secret from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	rest, _ := io.ReadAll(reader)

	switch {
	case line == "" && keepAllowed && strings.TrimSpace(string(rest)) == "":
		return "", nil
	case line == "":
		return "", usagef("profile add: no client secret on standard input; " +
			"pipe it in, for example: printf '%%s\\n' \"$SECRET\" | athos-tray profile add NAME --client-id ID")
	case len(line) > maxSecretLength:
		return "", usagef("profile add: client secret on standard input is longer than %d bytes", maxSecretLength)
	case strings.TrimSpace(string(rest)) != "":
		return "", usagef("profile add: standard input has more than one line; pipe in only the client secret")
	}
	if strings.TrimSpace(line) != line && strings.TrimSpace(line) != "" {
		fmt.Fprintln(env.Stderr, "athos-tray: note: the client secret starts or ends with spaces, which were kept")
	}
	return line, nil
}

func runProfileList(args []string, env Env) error {
	fs := newFlagSet(env, "profile list", "Usage: athos-tray profile list\n\nLists profiles; * marks the active one.\n")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 0 {
		return usagef("profile list: takes no arguments")
	}

	config, err := loadConfig(env)
	if err != nil {
		return err
	}
	if len(config.Profiles) == 0 {
		fmt.Fprintln(env.Stderr, "No profiles. Add one with: athos-tray profile add NAME --client-id ID")
		return nil
	}
	active, _ := config.ActiveProfile()
	for _, p := range config.Profiles {
		marker := " "
		if p.Name == active.Name {
			marker = "*"
		}
		mode := "token"
		if p.Legacy {
			mode = "legacy Basic"
		}
		if err := auth.ValidateProfile(p); err != nil {
			mode = "INVALID: " + err.Error()
		}
		fmt.Fprintf(env.Stdout, "%s %s\tclient id %s\t%s\t%s\n", marker, p.Name, p.ClientID, p.BaseURL(), mode)
	}
	return nil
}

func runProfileUse(args []string, env Env) error {
	fs := newFlagSet(env, "profile use", "Usage: athos-tray profile use NAME\n\nMakes NAME the active profile.\n")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usagef("profile use: expected one profile NAME")
	}

	name := positional[0]
	if _, err := loadConfig(env); err != nil {
		return err
	}
	if err := (auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets}).Use(name); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Active profile: %s\n", name)
	return nil
}

func runProfileRemove(args []string, env Env) error {
	fs := newFlagSet(env, "profile remove",
		"Usage: athos-tray profile remove NAME\n\nRemoves profile NAME and its client secret from the keyring.\n")
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 {
		return usagef("profile remove: expected one profile NAME")
	}

	name := positional[0]
	before, err := loadConfig(env)
	if err != nil {
		return err
	}
	if err := (auth.ProfileSaver{Store: env.Store, Secrets: env.Secrets}).Remove(name); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Removed profile %q and its keyring entry.\n", name)
	config, err := loadConfig(env)
	if err != nil {
		return err
	}
	if active, ok := config.ActiveProfile(); ok && before.Active == name {
		fmt.Fprintf(env.Stdout, "Active profile: %s\n", active.Name)
	} else if len(config.Profiles) == 0 {
		fmt.Fprintln(env.Stdout, "No profiles are left.")
	}
	return nil
}

// keyringNoticeDelay is how long a keyring read may take before the
// command prints that it waits for the keyring.
var keyringNoticeDelay = ui.KeyringWaitNotice

// getSecret reads the secret of profile. A locked keyring keeps the read
// waiting for its unlock prompt, so after keyringNoticeDelay it prints on
// standard error what the command waits for.
func getSecret(env Env, profile string) (string, error) {
	type result struct {
		secret string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		secret, err := env.Secrets.Get(profile)
		done <- result{secret, err}
	}()
	notice := time.NewTimer(keyringNoticeDelay)
	defer notice.Stop()
	select {
	case r := <-done:
		return r.secret, r.err
	case <-notice.C:
		fmt.Fprintln(env.Stderr, ui.KeyringWaitText)
	}
	r := <-done
	return r.secret, r.err
}

// loadConfig reads the profile file, and warns on standard error when a
// file that could not be parsed was moved aside, so that "no profiles"
// never hides lost work.
func loadConfig(env Env) (auth.Config, error) {
	config, err := env.Store.Load()
	if err == nil && config.MovedAside != nil {
		fmt.Fprintln(env.Stderr, "Warning:", config.MovedAside.Error())
	}
	return config, err
}

// loadProfile returns the named profile, or the active one when name is
// empty, with its credentials from the keyring.
func loadProfile(env Env, name string) (auth.Profile, auth.Credentials, error) {
	config, err := loadConfig(env)
	if err != nil {
		return auth.Profile{}, auth.Credentials{}, err
	}

	var profile auth.Profile
	var ok bool
	if name == "" {
		profile, ok = config.ActiveProfile()
		if !ok {
			return auth.Profile{}, auth.Credentials{}, fmt.Errorf("%w: add one with 'athos-tray profile add NAME "+
				"--client-id ID', or choose one with 'athos-tray profile use NAME'", errNoProfile)
		}
	} else if profile, ok = config.Find(name); !ok {
		return auth.Profile{}, auth.Credentials{}, fmt.Errorf("profile %q: %w; run 'athos-tray profile list' for the names",
			name, auth.ErrProfileNotFound)
	}

	if err := env.Store.CheckProfile(profile); err != nil {
		return auth.Profile{}, auth.Credentials{}, err
	}

	secret, err := getSecret(env, profile.Name)
	if err != nil {
		return auth.Profile{}, auth.Credentials{}, err
	}
	return profile, auth.Credentials{ClientID: profile.ClientID, ClientSecret: secret}, nil
}
