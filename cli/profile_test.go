package cli

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/auth/emulator"
	"github.com/athos-tray/athos-tray/ui"
)

func TestProfileAddReadsSecretFromStdin(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		// want is the stored secret. Empty means that the command must
		// fail with a usage error and store nothing.
		want string
	}{
		{name: "line with LF", stdin: testSecret + "\n", want: testSecret},
		{name: "line with CRLF", stdin: testSecret + "\r\n", want: testSecret},
		{name: "line without newline", stdin: testSecret, want: testSecret},
		{name: "two lines rejected", stdin: testSecret + "\nsecond line\n"},
		{name: "trailing blank lines", stdin: testSecret + "\n\n", want: testSecret},
		{name: "empty input", stdin: ""},
		{name: "empty line", stdin: "\n"},
		{name: "empty line with CRLF", stdin: "\r\n"},
		{name: "tab inside", stdin: "Tr4y\ts3cret\n"},
		{name: "longer than 4096 bytes", stdin: strings.Repeat("x", 4097) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			emu, url := startEmulator(t)

			r := h.run(tt.stdin, "profile", "add", "work", "--client-id", testClientID, "--api-url", url)
			stored := h.secrets.snapshot()
			if tt.want == "" {
				if r.code != ExitUsage {
					t.Errorf("got exit code %d, want %d; stderr: %s", r.code, ExitUsage, r.stderr)
				}
				if len(stored) != 0 {
					t.Errorf("got %d keyring entries, want none", len(stored))
				}
				if data := h.configBytes(); data != nil {
					t.Errorf("got profile file %s, want none", data)
				}
				if got := emu.Stats().TokenRequests; got != 0 {
					t.Errorf("got %d token requests, want none for an invalid secret", got)
				}
				return
			}

			if r.code != ExitOK {
				t.Fatalf("got exit code %d, want 0; stderr: %s", r.code, r.stderr)
			}
			if stored["work"] != tt.want {
				t.Errorf("got stored secret of %d bytes, want the %d bytes of the first line", len(stored["work"]), len(tt.want))
			}
			if got := emu.Stats().TokenRequests; got != 1 {
				t.Errorf("got %d token requests, want 1 to check the secret", got)
			}
		})
	}
}

func TestProfileAddAcceptsLongSecret(t *testing.T) {
	h := newHarness(t)
	secret := strings.Repeat("y", 4096)
	h.sensitive = append(h.sensitive, secret)

	r := h.run(secret+"\r\n", "profile", "add", "work", "--client-id", testClientID,
		"--api-url", closedPortURL(t), "--no-verify")
	if r.code != ExitOK {
		t.Fatalf("got exit code %d, want 0 for a secret of 4096 bytes; stderr: %s", r.code, r.stderr)
	}
	if got := h.secrets.snapshot()["work"]; got != secret {
		t.Errorf("got stored secret of %d bytes, want 4096", len(got))
	}
}

func TestProfileAddAcceptsColonInSecret(t *testing.T) {
	h := newHarness(t)
	emu := emulator.New(emulator.Config{ClientID: testClientID, ClientSecret: "part:one:two"})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })

	h.mustRun("part:one:two\n", "profile", "add", "work", "--client-id", testClientID, "--api-url", url)
	if got := h.secrets.snapshot()["work"]; got != "part:one:two" {
		t.Errorf("got stored secret %q, want %q", got, "part:one:two")
	}
}

func TestProfileAddRejectsSecretArgument(t *testing.T) {
	for _, flagName := range []string{"--secret", "--client-secret", "-secret"} {
		t.Run(flagName, func(t *testing.T) {
			h := newHarness(t)
			emu, url := startEmulator(t)

			r := h.run(testSecret+"\n", "profile", "add", "work", "--client-id", testClientID,
				"--api-url", url, flagName, testSecret)
			if r.code != ExitUsage {
				t.Errorf("got exit code %d, want %d", r.code, ExitUsage)
			}
			if len(h.secrets.snapshot()) != 0 || h.configBytes() != nil {
				t.Errorf("a rejected command line saved a profile or secret")
			}
			if got := emu.Stats().TokenRequests; got != 0 {
				t.Errorf("got %d token requests, want none", got)
			}
		})
	}
}

func TestProfileAddFlagsAfterName(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	tests := []struct {
		name string
		args []string
	}{
		{name: "after", args: []string{"after", "--client-id", testClientID, "--api-url", url}},
		{name: "before", args: []string{"--client-id", testClientID, "--api-url", url, "before"}},
		{name: "around", args: []string{"--client-id", testClientID, "around", "--api-url", url}},
		{name: "equals", args: []string{"equals", "--client-id=" + testClientID, "--api-url=" + url + "/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.mustRun(testSecret+"\n", append([]string{"profile", "add"}, tt.args...)...)
			config := h.loadConfig()
			p, ok := config.Find(tt.name)
			if !ok {
				t.Fatalf("profile %q not saved", tt.name)
			}
			want := auth.Profile{Name: tt.name, ClientID: testClientID, APIURL: url}
			if p != want {
				t.Errorf("got profile %+v, want %+v", p, want)
			}
		})
	}
}

func TestProfileAddFailedCheckKeepsWorkingProfile(t *testing.T) {
	tests := []struct {
		name    string
		failure emulator.Failure
		secret  string
		want    int
	}{
		{name: "wrong secret", failure: emulator.FailNone, secret: wrongSecret, want: ExitRejected},
		{name: "server rejects", failure: emulator.FailReject, secret: testSecret, want: ExitRejected},
		{name: "server error", failure: emulator.FailServerError, secret: wrongSecret, want: ExitNetwork},
		{name: "malformed response", failure: emulator.FailMalformed, secret: wrongSecret, want: ExitNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			emu, url := startEmulator(t)
			h.addProfile("work", url)
			before := h.configBytes()
			emu.SetFailure(tt.failure)

			// Replacing the working profile must change nothing.
			r := h.run(tt.secret+"\n", "profile", "add", "work", "--client-id", testClientID, "--api-url", url)
			if r.code != tt.want {
				t.Errorf("replace: got exit code %d, want %d; stderr: %s", r.code, tt.want, r.stderr)
			}
			if !strings.Contains(r.stderr, "nothing was saved") {
				t.Errorf("replace: got stderr %q, want it to say that nothing was saved", r.stderr)
			}
			if got := h.configBytes(); !bytes.Equal(got, before) {
				t.Errorf("replace: profile file changed from %s to %s", before, got)
			}
			if got := h.secrets.snapshot(); !maps.Equal(got, map[string]string{"work": testSecret}) {
				t.Errorf("replace: got keyring entries for %v with changed secrets, want only the working secret of work",
					slices.Sorted(maps.Keys(got)))
			}

			// Adding a new profile must save nothing either.
			r = h.run(tt.secret+"\n", "profile", "add", "other", "--client-id", testClientID, "--api-url", url)
			if r.code != tt.want {
				t.Errorf("add: got exit code %d, want %d; stderr: %s", r.code, tt.want, r.stderr)
			}
			if got := h.configBytes(); !bytes.Equal(got, before) {
				t.Errorf("add: profile file changed from %s to %s", before, got)
			}
			if _, ok := h.secrets.snapshot()["other"]; ok {
				t.Errorf("add: keyring has a secret for the rejected profile")
			}

			// The kept profile still works once the server recovers.
			emu.SetFailure(emulator.FailNone)
			if got, want := h.mustRun("", "token"), fetchDirect(t, url)+"\n"; got != want {
				t.Errorf("token after the failed changes: got %q, want the emulator's token", got)
			}
		})
	}
}

func TestProfileAddNoVerify(t *testing.T) {
	h := newHarness(t)
	emu, url := startEmulator(t)
	emu.SetFailure(emulator.FailReject)

	h.mustRun(wrongSecret+"\n", "profile", "add", "work", "--client-id", testClientID, "--api-url", url, "--no-verify")
	if got := emu.Stats().TokenRequests; got != 0 {
		t.Errorf("got %d token requests, want none with --no-verify", got)
	}
	if got := h.secrets.snapshot()["work"]; got != wrongSecret {
		t.Errorf("stored secret is not the one from standard input")
	}
	want := auth.Profile{Name: "work", ClientID: testClientID, APIURL: url}
	config := h.loadConfig()
	if p, ok := config.Find("work"); !ok || p != want {
		t.Errorf("got profile %+v (found %v), want %+v", p, ok, want)
	}
}

func TestProfileAddLockedKeyringSavesNothing(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s *memorySecrets)
	}{
		{name: "get fails", setup: func(s *memorySecrets) { s.getErr = errLocked("work") }},
		{name: "set fails", setup: func(s *memorySecrets) { s.setErr = errLocked("work") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, url := startEmulator(t)
			tt.setup(h.secrets)

			r := h.run(testSecret+"\n", "profile", "add", "work", "--client-id", testClientID, "--api-url", url)
			if r.code != ExitSetup {
				t.Errorf("got exit code %d, want %d; stderr: %s", r.code, ExitSetup, r.stderr)
			}
			if data := h.configBytes(); data != nil {
				t.Errorf("got profile file %s, want none", data)
			}
		})
	}
}

func TestProfileAddRestoresSecretWhenSaveFails(t *testing.T) {
	tests := []struct {
		name     string
		previous map[string]string
		// failRestore makes putting the previous secret back fail.
		failRestore bool
		want        map[string]string
	}{
		{
			name:     "previous secret",
			previous: map[string]string{"work": "old-secret-value"},
			want:     map[string]string{"work": "old-secret-value"},
		},
		{
			name:     "no previous secret",
			previous: map[string]string{},
			want:     map[string]string{},
		},
		{
			name:        "restore fails",
			previous:    map[string]string{"work": "old-secret-value"},
			failRestore: true,
			want:        map[string]string{"work": "old-secret-value"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, url := startEmulator(t)
			maps.Copy(h.secrets.entries, tt.previous)
			if tt.failRestore {
				h.secrets.failSet = func(profile, secret string) error {
					if secret != testSecret {
						return errLocked(profile)
					}
					return nil
				}
			}
			// A folder in place of the profile file makes every read and
			// write of it fail.
			if err := os.Mkdir(h.store.Path, 0o700); err != nil {
				t.Fatal(err)
			}

			r := h.run(testSecret+"\n", "profile", "add", "work", "--client-id", testClientID, "--api-url", url)
			if r.code == ExitOK {
				t.Errorf("got exit code 0, want a failure when the profile file cannot be written")
			}
			if got := h.secrets.snapshot(); !maps.Equal(got, tt.want) {
				t.Errorf("got keyring entries %v, want %v", got, tt.want)
			}
			// The unreadable profile file stops the command before the
			// keyring is touched; auth's tests cover the restore itself.
			if !strings.Contains(r.stderr, "profiles.json") {
				t.Errorf("got stderr %q, want it to name the profile file", r.stderr)
			}
		})
	}
}

func TestProfileListMarksActive(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)

	r := h.run("", "profile", "list")
	if r.code != ExitOK || r.stdout != "" {
		t.Errorf("empty list: got exit code %d and stdout %q, want 0 and none", r.code, r.stdout)
	}
	if !strings.Contains(r.stderr, "No profiles") {
		t.Errorf("empty list: got stderr %q, want a hint to add a profile", r.stderr)
	}

	h.addProfile("work", url)
	h.addProfile("alpha", url, "--legacy")
	want := fmt.Sprintf("  alpha\tclient id client\t%[1]s\tlegacy Basic\n* work\tclient id client\t%[1]s\ttoken\n", url)
	if got := h.mustRun("", "profile", "list"); got != want {
		t.Errorf("got list\n%s\nwant\n%s", got, want)
	}

	h.mustRun("", "profile", "use", "alpha")
	want = fmt.Sprintf("* alpha\tclient id client\t%[1]s\tlegacy Basic\n  work\tclient id client\t%[1]s\ttoken\n", url)
	if got := h.mustRun("", "profile", "list"); got != want {
		t.Errorf("after 'profile use alpha': got list\n%s\nwant\n%s", got, want)
	}
}

func TestProfileUseUnknownKeepsFile(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)
	before := h.configBytes()
	beforeInfo, err := os.Stat(h.store.Path)
	if err != nil {
		t.Fatal(err)
	}

	r := h.run("", "profile", "use", "missing")
	if r.code != ExitSetup {
		t.Errorf("got exit code %d, want %d; stderr: %s", r.code, ExitSetup, r.stderr)
	}
	if !strings.Contains(r.stderr, "missing") {
		t.Errorf("got stderr %q, want the unknown name", r.stderr)
	}
	if got := h.configBytes(); !bytes.Equal(got, before) {
		t.Errorf("profile file changed from %s to %s", before, got)
	}
	afterInfo, err := os.Stat(h.store.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !afterInfo.ModTime().Equal(beforeInfo.ModTime()) {
		t.Errorf("profile file was rewritten: modification time %v, want %v", afterInfo.ModTime(), beforeInfo.ModTime())
	}
}

func TestProfileRemoveDeletesSecretAndEntry(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("alpha", url)
	h.addProfile("work", url)

	out := h.mustRun("", "profile", "remove", "alpha")
	if !strings.Contains(out, "Active profile: work") {
		t.Errorf("remove of the active profile printed %q, want it to name the new active profile", out)
	}
	config := h.loadConfig()
	if _, ok := config.Find("alpha"); ok {
		t.Errorf("profile alpha is still in the profile file")
	}
	if config.Active != "work" {
		t.Errorf("got active profile %q, want %q after removing the active one", config.Active, "work")
	}
	if got := h.secrets.snapshot(); !maps.Equal(got, map[string]string{"work": testSecret}) {
		t.Errorf("got keyring entries for %v, want only work", slices.Sorted(maps.Keys(got)))
	}

	r := h.run("", "profile", "remove", "alpha")
	if r.code != ExitSetup {
		t.Errorf("second remove: got exit code %d, want %d", r.code, ExitSetup)
	}

	h.addProfile("beta", url)
	h.mustRun("", "profile", "use", "work")
	if out := h.mustRun("", "profile", "remove", "beta"); strings.Contains(out, "Active profile") {
		t.Errorf("remove of an inactive profile printed %q, want no active profile line", out)
	}
}

func TestProfileRemoveKeepsProfileWhenKeyringFails(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)
	before := h.configBytes()
	h.secrets.deleteErr = fmt.Errorf("delete the client secret of profile %q: %w", "work", auth.ErrKeyringLocked)

	r := h.run("", "profile", "remove", "work")
	if r.code != ExitSetup {
		t.Errorf("got exit code %d, want %d; stderr: %s", r.code, ExitSetup, r.stderr)
	}
	if !strings.Contains(r.stderr, "the profile was kept") {
		t.Errorf("got stderr %q, want it to say that the profile was kept", r.stderr)
	}
	if got := h.configBytes(); !bytes.Equal(got, before) {
		t.Errorf("profile file changed from %s to %s", before, got)
	}
	if got := h.secrets.snapshot()["work"]; got != testSecret {
		t.Errorf("secret of work changed, want it kept")
	}
}

func TestProfileCommandsKeepUnparsableFile(t *testing.T) {
	h := newHarness(t)
	if err := os.WriteFile(h.store.Path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"profile", "list"}, {"token"}, {"profile", "use", "work"}} {
		r := h.run("", args...)
		if strings.Contains(r.stderr, "{not json") {
			t.Errorf("athos-tray %s: got stderr %q, want no content of the file", strings.Join(args, " "), r.stderr)
		}
		if !strings.Contains(r.stderr, "renamed to "+h.store.Path+".broken-") {
			t.Errorf("athos-tray %s: got stderr %q, want it to name the file moved aside", strings.Join(args, " "), r.stderr)
		}
	}
	// auth.ConfigStore.Load renames the file instead of replacing it.
	aside, _ := filepath.Glob(h.store.Path + ".broken-*")
	if len(aside) != 1 {
		t.Fatalf("got %d files moved aside, want 1", len(aside))
	}
	if got, _ := os.ReadFile(aside[0]); string(got) != "{not json" {
		t.Errorf("the unparsable profile file was changed to %s", got)
	}
}

func TestProfileAddExistingKeepsSettings(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url, "--legacy")

	// A new secret alone, as the keyring error messages suggest, must not
	// reset the API URL to production or switch legacy mode off.
	h.mustRun(testSecret+"\n", "profile", "add", "work")
	p, _ := h.loadConfig().Find("work")
	if p.APIURL != url || !p.Legacy || p.ClientID != testClientID {
		t.Errorf("profile after adding a new secret only = %+v, want URL %s, legacy and client id kept", p, url)
	}

	h.mustRun(testSecret+"\n", "profile", "add", "work", "--legacy=false")
	if p, _ := h.loadConfig().Find("work"); p.Legacy || p.APIURL != url {
		t.Errorf("profile after --legacy=false = %+v, want legacy off and URL kept", p)
	}

	r := h.run(testSecret+"\n", "profile", "add", "new", "--api-url", url)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--client-id") {
		t.Errorf("new profile without --client-id: exit %d, stderr %q; want 2 naming --client-id", r.code, r.stderr)
	}
}

func TestProfileInvalidEntryIsolated(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("good", url)

	config := h.loadConfig()
	config.Profiles = append(config.Profiles, auth.Profile{Name: "bad", ClientID: "c", APIURL: "http://example.com"})
	if err := h.store.Save(config); err != nil {
		t.Fatal(err)
	}
	h.secrets.entries["bad"] = testSecret

	if out := h.mustRun("", "profile", "list"); !strings.Contains(out, "INVALID") || !strings.Contains(out, "good") {
		t.Errorf("profile list = %q, want both entries with bad marked INVALID", out)
	}
	if out := h.mustRun("", "token", "--profile", "good"); !strings.HasPrefix(out, tokenPrefix) {
		t.Errorf("token for the good profile = %q, want a token", out)
	}

	r := h.run("", "token", "--profile", "bad")
	if r.code != ExitSetup || !strings.Contains(r.stderr, `"bad"`) || !strings.Contains(r.stderr, "profile remove bad") {
		t.Errorf("token for the bad profile: exit %d, stderr %q; want 5 naming the entry and the fix", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "--help") {
		t.Errorf("invalid stored profile reported as a usage error: %q", r.stderr)
	}

	h.mustRun("", "profile", "remove", "bad")
	if _, ok := h.loadConfig().Find("bad"); ok {
		t.Errorf("invalid profile still present after profile remove")
	}
}

func TestProfileAddExistingWithoutSecret(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)

	out := h.mustRun("", "profile", "add", "work", "--legacy")
	if !strings.Contains(out, "stored client secret was kept") {
		t.Errorf("output = %q, want it to say the stored secret was kept", out)
	}
	if p, _ := h.loadConfig().Find("work"); !p.Legacy {
		t.Errorf("profile after --legacy without a secret = %+v, want legacy on", p)
	}
	if got := h.secrets.snapshot()["work"]; got != testSecret {
		t.Errorf("stored secret changed by a change of options only")
	}

	r := h.run("", "profile", "add", "fresh", "--client-id", testClientID, "--api-url", url)
	if r.code != ExitUsage {
		t.Errorf("new profile without a secret: exit %d, want %d", r.code, ExitUsage)
	}
}

// blockingSecrets is a keyring whose Get waits until release is closed, as
// a locked keyring waits for its unlock prompt.
type blockingSecrets struct {
	*memorySecrets
	release chan struct{}
}

func (b blockingSecrets) Get(profile string) (string, error) {
	<-b.release
	return b.memorySecrets.Get(profile)
}

// releasingWriter closes release once text has been written to it.
type releasingWriter struct {
	bytes.Buffer
	text    string
	release chan struct{}
}

func (w *releasingWriter) Write(p []byte) (int, error) {
	n, err := w.Buffer.Write(p)
	if strings.Contains(w.String(), w.text) {
		select {
		case <-w.release:
		default:
			close(w.release)
		}
	}
	return n, err
}

func TestTokenSaysItWaitsForKeyring(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)
	saved := keyringNoticeDelay
	keyringNoticeDelay = 0
	t.Cleanup(func() { keyringNoticeDelay = saved })

	release := make(chan struct{})
	stderr := &releasingWriter{text: ui.KeyringWaitText, release: release}
	var stdout bytes.Buffer
	code := Main(t.Context(), []string{"token"}, Env{
		Stdin:   strings.NewReader(""),
		Stdout:  &stdout,
		Stderr:  stderr,
		Store:   h.store,
		Secrets: blockingSecrets{memorySecrets: h.secrets, release: release},
	})
	if code != ExitOK {
		t.Fatalf("token: exit code %d, want 0; stderr: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), ui.KeyringWaitText) {
		t.Errorf("stderr = %q, want the keyring notice %q", stderr.String(), ui.KeyringWaitText)
	}
	if stdout.Len() == 0 {
		t.Errorf("token printed nothing after the keyring answered")
	}
}
