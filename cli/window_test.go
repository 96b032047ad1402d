package cli

import (
	"strings"
	"testing"
)

func TestWindowRejectsBadArguments(t *testing.T) {
	for _, args := range [][]string{
		{"window"},
		{"window", "unknown"},
		{"window", "token"},
		{"window", "profiles", "extra"},
		{"window", "credentials", "a", "b"},
		{"window", "settings", "extra"},
	} {
		r := newHarness(t).run("", args...)
		if r.code != ExitUsage {
			t.Errorf("athos-tray %s exited %d, want %d", strings.Join(args, " "), r.code, ExitUsage)
		}
	}
}

func TestWindowTokenRejectsBadInput(t *testing.T) {
	const token = "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"
	for name, stdin := range map[string]string{
		"not JSON":      token,
		"other profile": `{"profile":"other","accessToken":"` + token + `"}`,
		"no token":      `{"profile":"prod"}`,
	} {
		r := newHarness(t).run(stdin, "window", "token", "prod")
		if r.code != ExitFailure {
			t.Errorf("%s: exit code %d, want %d", name, r.code, ExitFailure)
		}
		if !strings.Contains(r.stderr, "token details") {
			t.Errorf("%s: error output %q does not mention the token details", name, r.stderr)
		}
		if strings.Contains(r.stderr, token) || strings.Contains(r.stdout, token) {
			t.Errorf("%s: output contains the token", name)
		}
	}
}
