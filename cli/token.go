package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"time"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/ui"
)

// fetchToken requests a token for the profile. The server returns its
// cached token while more than 30 minutes remain, so this matches the
// token that a running tray holds.
func fetchToken(ctx context.Context, profile auth.Profile, creds auth.Credentials) (auth.Token, error) {
	client := &auth.Client{APIURL: profile.BaseURL()}
	return client.FetchToken(ctx, creds)
}

func runToken(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "token", "Usage: athos-tray token [--profile NAME]\n\n"+
		"Prints the access token of the active profile, fetched from the server.\n\nOptions:\n")
	name := fs.String("profile", "", "use this profile instead of the active one")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}

	profile, creds, err := loadProfile(env, *name)
	if err != nil {
		return err
	}
	tok, err := fetchToken(ctx, profile, creds)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, tok.AccessToken)
	return nil
}

func runHeader(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "header", "Usage: athos-tray header [--legacy] [--profile NAME]\n\n"+
		"Prints the Authorization header line for the active profile: the Bearer\n"+
		"header, or the legacy Basic header when the profile uses legacy Basic\n"+
		"authentication or --legacy is given.\n\nOptions:\n")
	legacy := fs.Bool("legacy", false, "print the legacy Basic header")
	name := fs.String("profile", "", "use this profile instead of the active one")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}

	profile, creds, err := loadProfile(env, *name)
	if err != nil {
		return err
	}
	if *legacy || profile.Legacy {
		value, err := auth.BasicHeader(creds)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "Authorization: "+value)
		return nil
	}

	tok, err := fetchToken(ctx, profile, creds)
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "Authorization: Bearer "+tok.AccessToken)
	return nil
}

// statusReport is the output of 'athos-tray status --json'. It never
// contains the token or the secret.
type statusReport struct {
	Profile   string     `json:"profile"`
	ClientID  string     `json:"clientId"`
	APIURL    string     `json:"apiUrl"`
	Legacy    bool       `json:"legacy"`
	State     string     `json:"state"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
	ExpiresIn *int64     `json:"expiresInSeconds,omitempty"`
	Scope     string     `json:"scope,omitempty"`
	// ClockSkew is how far the local clock is ahead of the server's, from
	// the response's expiresAt; negative when it is behind. It is absent
	// when the response had no expiresAt.
	ClockSkew *int64 `json:"clockSkewSeconds,omitempty"`
	// ClockWarning is set when the skew exceeds two minutes either way.
	ClockWarning string `json:"clockWarning,omitempty"`
	Error        string `json:"error,omitempty"`
}

func runStatus(ctx context.Context, args []string, env Env) error {
	fs := newFlagSet(env, "status", "Usage: athos-tray status [--json] [--profile NAME]\n\n"+
		"Prints the active profile, the state of its token and the expiry time.\n"+
		"The state is one of valid, legacy, rejected or error.\n\nOptions:\n")
	asJSON := fs.Bool("json", false, "print one JSON object")
	name := fs.String("profile", "", "use this profile instead of the active one")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}

	profile, creds, err := loadProfile(env, *name)
	if err != nil {
		if *asJSON {
			writeJSON(env, statusReport{Profile: *name, State: "error", Error: err.Error()})
		}
		return err
	}
	report := statusReport{
		Profile:  profile.Name,
		ClientID: profile.ClientID,
		APIURL:   profile.BaseURL(),
		Legacy:   profile.Legacy,
		State:    "legacy",
	}

	var fetchErr error
	if !profile.Legacy {
		var tok auth.Token
		tok, fetchErr = fetchToken(ctx, profile, creds)
		switch {
		case fetchErr == nil:
			expiry := tok.Expiry()
			seconds := int64(time.Until(expiry).Seconds())
			report.State, report.ExpiresAt, report.ExpiresIn, report.Scope = "valid", &expiry, &seconds, tok.Scope
			addClockSkew(&report, tok)
		default:
			report.State = "error"
			if exitCode(fetchErr) == ExitRejected {
				report.State = "rejected"
			}
			report.Error = fetchErr.Error()
		}
	}

	if *asJSON {
		if err := writeJSON(env, report); err != nil {
			return err
		}
	} else {
		printStatus(env, report)
	}
	return fetchErr
}

// addClockSkew records how far the local clock differs from the server's,
// and a warning when the difference exceeds ui.ClockSkewLimit.
func addClockSkew(report *statusReport, tok auth.Token) {
	if tok.ServerExpiresAt.IsZero() {
		return
	}
	skew := auth.ClockSkew(tok).Round(time.Second)
	seconds := int64(skew / time.Second)
	report.ClockSkew = &seconds
	if skew > ui.ClockSkewLimit || skew < -ui.ClockSkewLimit {
		report.ClockWarning = ui.ClockSkewSentence(skew) +
			"; the expiry follows the server's expiresIn, but fix the clock (for example enable NTP)"
	}
}

func writeJSON(env Env, report statusReport) error {
	encoder := json.NewEncoder(env.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(report); err != nil {
		return fmt.Errorf("write status: %w", err)
	}
	return nil
}

func printStatus(env Env, r statusReport) {
	mode := "token"
	if r.Legacy {
		mode = "legacy Basic authentication (no token)"
	}
	fmt.Fprintf(env.Stdout, "Profile:   %s\n", r.Profile)
	fmt.Fprintf(env.Stdout, "Client id: %s\n", r.ClientID)
	fmt.Fprintf(env.Stdout, "API URL:   %s\n", r.APIURL)
	fmt.Fprintf(env.Stdout, "Mode:      %s\n", mode)
	fmt.Fprintf(env.Stdout, "State:     %s\n", r.State)
	if r.ExpiresAt != nil {
		left := time.Duration(*r.ExpiresIn) * time.Second
		fmt.Fprintf(env.Stdout, "Expires:   %s (in %s)\n", r.ExpiresAt.Local().Format("2006-01-02 15:04:05 MST"), ui.Countdown(left))
	}
	if r.ClockWarning != "" {
		fmt.Fprintf(env.Stdout, "Clock:     %s\n", r.ClockWarning)
	}
}

// parseNoArgs parses flags and rejects positional arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	positional, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), positional[0])
	}
	return nil
}
