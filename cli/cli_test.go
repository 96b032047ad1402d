package cli

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/auth/emulator"
)

const (
	testClientID = "client"
	// testSecret is the secret the test emulators accept. It is distinctive
	// so that a search for it in the output cannot match ordinary words.
	testSecret = "Tr4y-s3cret-91f2"
	// wrongSecret is a secret the test emulators reject.
	wrongSecret = "wr0ng-s3cret-55"
	// tokenPrefix starts every emulator token, because the tokens are JWTs
	// and the base64 encoding of their JSON header begins with "eyJ".
	tokenPrefix = "eyJ"
)

// memorySecrets is an in-memory auth.SecretStore whose calls can be made to
// fail, for example with auth.ErrKeyringLocked.
type memorySecrets struct {
	mu      sync.Mutex
	entries map[string]string
	// getErr, setErr and deleteErr, when set, are returned by every call of
	// that method, which then changes nothing.
	getErr, setErr, deleteErr error
	// failSet, when set, is called before each Set. A non-nil result is
	// returned, and nothing is stored.
	failSet func(profile, secret string) error
}

func newMemorySecrets() *memorySecrets {
	return &memorySecrets{entries: map[string]string{}}
}

func (m *memorySecrets) Get(profile string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.getErr != nil {
		return "", m.getErr
	}
	secret, ok := m.entries[profile]
	if !ok {
		return "", fmt.Errorf("read the client secret of profile %q: %w", profile, auth.ErrSecretNotFound)
	}
	return secret, nil
}

func (m *memorySecrets) Set(profile, secret string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.setErr != nil {
		return m.setErr
	}
	if m.failSet != nil {
		if err := m.failSet(profile, secret); err != nil {
			return err
		}
	}
	m.entries[profile] = secret
	return nil
}

func (m *memorySecrets) Delete(profile string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.deleteErr != nil {
		return m.deleteErr
	}
	delete(m.entries, profile)
	return nil
}

// snapshot returns a copy of the stored secrets.
func (m *memorySecrets) snapshot() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.entries)
}

// errLocked is what the keyring returns while the login collection stays
// locked.
func errLocked(profile string) error {
	return fmt.Errorf("read the client secret of profile %q: %w (prompt dismissed)", profile, auth.ErrKeyringLocked)
}

// harness runs Main with a profile file in a temporary folder and an
// in-memory keyring.
type harness struct {
	t       *testing.T
	store   auth.ConfigStore
	secrets *memorySecrets
	// sensitive lists the texts that no standard error output may contain.
	sensitive []string
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	return &harness{
		t:       t,
		store:   auth.ConfigStore{Path: filepath.Join(t.TempDir(), "profiles.json")},
		secrets: newMemorySecrets(),
		sensitive: []string{
			testSecret,
			wrongSecret,
			tokenPrefix,
			basicValue(testClientID, testSecret),
			basicValue(testClientID, wrongSecret),
		},
	}
}

// result is the outcome of one Main call.
type result struct {
	code           int
	stdout, stderr string
}

// run calls Main with stdin and args, and fails the test when standard
// error contains a secret or a token.
func (h *harness) run(stdin string, args ...string) result {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(h.t.Context(), args, Env{
		Stdin:   strings.NewReader(stdin),
		Stdout:  &stdout,
		Stderr:  &stderr,
		Store:   h.store,
		Secrets: h.secrets,
	})
	r := result{code: code, stdout: stdout.String(), stderr: stderr.String()}
	for _, text := range h.sensitive {
		if strings.Contains(r.stderr, text) {
			h.t.Errorf("athos-tray %s: standard error contains a secret or token (%.6s…): %q",
				strings.Join(args, " "), text, r.stderr)
		}
	}
	return r
}

// mustRun runs a command that must succeed and returns its standard output.
func (h *harness) mustRun(stdin string, args ...string) string {
	h.t.Helper()
	r := h.run(stdin, args...)
	if r.code != ExitOK {
		h.t.Fatalf("athos-tray %s: exit code %d, want 0; stderr: %s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// addProfile adds a profile for the emulator at baseURL with the secret the
// emulator accepts, checking it against the emulator.
func (h *harness) addProfile(name, baseURL string, extra ...string) {
	h.t.Helper()
	args := append([]string{"profile", "add", name, "--client-id", testClientID, "--api-url", baseURL}, extra...)
	h.mustRun(testSecret+"\n", args...)
}

// configBytes returns the profile file's content, or nil when it does not
// exist.
func (h *harness) configBytes() []byte {
	h.t.Helper()
	data, err := os.ReadFile(h.store.Path)
	if err != nil && !os.IsNotExist(err) {
		h.t.Fatalf("read profile file: %v", err)
	}
	return data
}

// loadConfig reads the profile file.
func (h *harness) loadConfig() auth.Config {
	h.t.Helper()
	config, err := h.store.Load()
	if err != nil {
		h.t.Fatalf("load profile file: %v", err)
	}
	return config
}

// startEmulator serves an emulator that accepts testClientID and
// testSecret on 127.0.0.1 and returns it with its base URL.
func startEmulator(t *testing.T) (*emulator.Emulator, string) {
	t.Helper()
	emu := emulator.New(emulator.Config{ClientID: testClientID, ClientSecret: testSecret})
	baseURL, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu, baseURL
}

// closedPortURL returns a loopback URL on which nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	address := listener.Addr().String()
	listener.Close()
	return "http://" + address
}

// fetchDirect requests a token from the emulator without the command line.
// The emulator returns its cached token, so this is the token that the
// command line received as well.
func fetchDirect(t *testing.T, baseURL string) string {
	t.Helper()
	client := &auth.Client{APIURL: baseURL}
	tok, err := client.FetchToken(t.Context(), auth.Credentials{ClientID: testClientID, ClientSecret: testSecret})
	if err != nil {
		t.Fatalf("fetch token from the emulator: %v", err)
	}
	return tok.AccessToken
}

// protectedStatus calls the emulator's protected endpoint with the value of
// an Authorization header and returns the status code.
func protectedStatus(t *testing.T, baseURL, authorization string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, baseURL+"/corp/me", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("call the protected endpoint: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// basicValue returns the value of a Basic Authorization header.
func basicValue(clientID, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(clientID + ":" + secret))
}

func TestMainExitCodes(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the harness and returns the command line.
		setup func(t *testing.T, h *harness) []string
		stdin string
		want  int
	}{
		{
			name:  "unknown command",
			setup: func(t *testing.T, h *harness) []string { return []string{"frobnicate"} },
			want:  ExitUsage,
		},
		{
			name: "profile add without client id",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				return []string{"profile", "add", "work", "--api-url", url}
			},
			stdin: testSecret + "\n",
			want:  ExitUsage,
		},
		{
			name: "profile add with two names",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				return []string{"profile", "add", "work", "extra", "--client-id", testClientID, "--api-url", url}
			},
			stdin: testSecret + "\n",
			want:  ExitUsage,
		},
		{
			name: "profile add with colon in client id",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				return []string{"profile", "add", "work", "--client-id", "cli:ent", "--api-url", url}
			},
			stdin: testSecret + "\n",
			want:  ExitUsage,
		},
		{
			name: "token with an argument",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				return []string{"token", "extra"}
			},
			want: ExitUsage,
		},
		{
			name: "profile use with two names",
			setup: func(t *testing.T, h *harness) []string {
				return []string{"profile", "use", "work", "other"}
			},
			want: ExitUsage,
		},
		{
			name: "profile add with rejected secret",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				return []string{"profile", "add", "work", "--client-id", testClientID, "--api-url", url}
			},
			stdin: wrongSecret + "\n",
			want:  ExitRejected,
		},
		{
			name: "token after the server rejects",
			setup: func(t *testing.T, h *harness) []string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailReject)
				return []string{"token"}
			},
			want: ExitRejected,
		},
		{
			name: "token on server error",
			setup: func(t *testing.T, h *harness) []string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailServerError)
				return []string{"token"}
			},
			want: ExitNetwork,
		},
		{
			name: "token on malformed response",
			setup: func(t *testing.T, h *harness) []string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailMalformed)
				return []string{"token"}
			},
			want: ExitNetwork,
		},
		{
			name: "token on closed port",
			setup: func(t *testing.T, h *harness) []string {
				h.addProfile("work", closedPortURL(t), "--no-verify")
				return []string{"token"}
			},
			want: ExitNetwork,
		},
		{
			name: "header on server error",
			setup: func(t *testing.T, h *harness) []string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailServerError)
				return []string{"header"}
			},
			want: ExitNetwork,
		},
		{
			name: "profile add on server error",
			setup: func(t *testing.T, h *harness) []string {
				emu, url := startEmulator(t)
				emu.SetFailure(emulator.FailServerError)
				return []string{"profile", "add", "work", "--client-id", testClientID, "--api-url", url}
			},
			stdin: testSecret + "\n",
			want:  ExitNetwork,
		},
		{
			name:  "token without profile",
			setup: func(t *testing.T, h *harness) []string { return []string{"token"} },
			want:  ExitSetup,
		},
		{
			name: "token with missing secret",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				h.secrets.Delete("work")
				return []string{"token"}
			},
			want: ExitSetup,
		},
		{
			name: "token with locked keyring",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				h.secrets.getErr = errLocked("work")
				return []string{"token"}
			},
			want: ExitSetup,
		},
		{
			name: "header with locked keyring",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				h.secrets.getErr = errLocked("work")
				return []string{"header", "--legacy"}
			},
			want: ExitSetup,
		},
		{
			name: "status of unknown profile",
			setup: func(t *testing.T, h *harness) []string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				return []string{"status", "--profile", "missing"}
			},
			want: ExitSetup,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			args := tt.setup(t, h)
			r := h.run(tt.stdin, args...)
			if r.code != tt.want {
				t.Errorf("athos-tray %s: got exit code %d, want %d; stderr: %s",
					strings.Join(args, " "), r.code, tt.want, r.stderr)
			}
			if r.stderr == "" {
				t.Errorf("athos-tray %s: got empty stderr, want the reason for exit code %d",
					strings.Join(args, " "), r.code)
			}
		})
	}
}

func TestMainHelpExitsZero(t *testing.T) {
	commands := [][]string{
		{"--help"},
		{"-h"},
		{"help"},
		{"tray", "--help"},
		{"--sandbox", "--help"},
		{"profile", "--help"},
		{"profile", "add", "--help"},
		{"profile", "list", "--help"},
		{"profile", "use", "--help"},
		{"profile", "remove", "--help"},
		{"token", "--help"},
		{"header", "--help"},
		{"status", "--help"},
		{"emulator", "--help"},
	}
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h := newHarness(t)
			r := h.run("", args...)
			if r.code != ExitOK {
				t.Errorf("got exit code %d, want 0; stderr: %s", r.code, r.stderr)
			}
			if !strings.Contains(r.stdout, "Usage") {
				t.Errorf("got stdout %q, want a usage text", r.stdout)
			}
			if r.stderr != "" {
				t.Errorf("got stderr %q, want none", r.stderr)
			}
			if data := h.configBytes(); data != nil {
				t.Errorf("--help created the profile file: %s", data)
			}
		})
	}
}

func TestVersionPrintsVersion(t *testing.T) {
	h := newHarness(t)
	got := h.mustRun("", "version")
	if want := "athos-tray " + Version + "\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestTokenPrintsEmulatorToken(t *testing.T) {
	h := newHarness(t)
	emu, url := startEmulator(t)
	h.addProfile("work", url)

	got := h.mustRun("", "token")
	want := fetchDirect(t, url)
	if got != want+"\n" {
		t.Errorf("got stdout %q, want the emulator's token and a newline", got)
	}
	if code := protectedStatus(t, url, "Bearer "+strings.TrimSpace(got)); code != http.StatusOK {
		t.Errorf("protected endpoint with the printed token: got status %d, want 200", code)
	}
	if issued := emu.Stats().TokensIssued; issued != 1 {
		t.Errorf("got %d tokens issued, want 1: the emulator returns its cached token", issued)
	}
}

func TestTokenUsesNamedProfile(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)
	h.addProfile("broken", closedPortURL(t), "--no-verify")
	h.mustRun("", "profile", "use", "broken")

	got := h.mustRun("", "token", "--profile", "work")
	if want := fetchDirect(t, url) + "\n"; got != want {
		t.Errorf("token --profile work: got %q, want the emulator's token", got)
	}
}

func TestHeaderPrintsBearer(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)

	got := h.mustRun("", "header")
	if want := "Authorization: Bearer " + fetchDirect(t, url) + "\n"; got != want {
		t.Errorf("got %q, want the Bearer header with the emulator's token", got)
	}
}

func TestHeaderLegacyPrintsBasic(t *testing.T) {
	const want = "Authorization: Basic Y2xpZW50OnNlY3JldA==\n"
	// This test uses the documented example credentials client/secret.
	emu := emulator.New(emulator.Config{})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	t.Cleanup(func() { emu.Close() })

	t.Run("flag", func(t *testing.T) {
		h := newHarness(t)
		h.sensitive = append(h.sensitive, "Y2xpZW50OnNlY3JldA")
		h.mustRun("secret\n", "profile", "add", "demo", "--client-id", "client", "--api-url", url)
		requests := emu.Stats().TokenRequests

		r := h.run("", "header", "--legacy")
		if r.code != ExitOK {
			t.Fatalf("got exit code %d, want 0; stderr: %s", r.code, r.stderr)
		}
		if r.stdout != want {
			t.Errorf("got %q, want %q", r.stdout, want)
		}
		if r.stderr != "" {
			t.Errorf("got stderr %q, want none", r.stderr)
		}
		if got := emu.Stats().TokenRequests; got != requests {
			t.Errorf("got %d token requests, want %d: the Basic header needs no token", got, requests)
		}
	})

	t.Run("legacy profile", func(t *testing.T) {
		h := newHarness(t)
		h.sensitive = append(h.sensitive, "Y2xpZW50OnNlY3JldA")
		h.mustRun("secret\n", "profile", "add", "demo", "--client-id", "client", "--api-url", url, "--legacy")
		requests := emu.Stats().TokenRequests

		r := h.run("", "header")
		if r.code != ExitOK {
			t.Fatalf("got exit code %d, want 0; stderr: %s", r.code, r.stderr)
		}
		if r.stdout != want {
			t.Errorf("got %q, want %q", r.stdout, want)
		}
		if got := emu.Stats().TokenRequests; got != requests {
			t.Errorf("got %d token requests, want %d: a legacy profile needs no token", got, requests)
		}
		if code := protectedStatus(t, url, strings.TrimPrefix(strings.TrimSpace(r.stdout), "Authorization: ")); code != http.StatusOK {
			t.Errorf("protected endpoint with the printed Basic header: got status %d, want 200", code)
		}
	})
}

func TestStatusPrintsText(t *testing.T) {
	h := newHarness(t)
	_, url := startEmulator(t)
	h.addProfile("work", url)

	r := h.run("", "status")
	if r.code != ExitOK {
		t.Fatalf("got exit code %d, want 0; stderr: %s", r.code, r.stderr)
	}
	for _, want := range []string{
		"Profile:   work\n",
		"Client id: client\n",
		"API URL:   " + url + "\n",
		"Mode:      token\n",
		"State:     valid\n",
		"Expires:   ",
		"(in 11h 59m)",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("got stdout %q, want it to contain %q", r.stdout, want)
		}
	}
	token := fetchDirect(t, url)
	if strings.Contains(r.stdout, token) || strings.Contains(r.stdout, testSecret) {
		t.Errorf("status output contains the token or the secret: %q", r.stdout)
	}
}

func TestStatusPrintsJSON(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the profile "work" and returns the emulator URL.
		setup     func(t *testing.T, h *harness) string
		wantCode  int
		wantState string
		// wantExpiry reports whether expiresAt, expiresInSeconds and scope
		// must be present.
		wantExpiry bool
		wantLegacy bool
		wantError  bool
	}{
		{
			name: "valid",
			setup: func(t *testing.T, h *harness) string {
				_, url := startEmulator(t)
				h.addProfile("work", url)
				return url
			},
			wantCode:   ExitOK,
			wantState:  "valid",
			wantExpiry: true,
		},
		{
			name: "legacy",
			setup: func(t *testing.T, h *harness) string {
				_, url := startEmulator(t)
				h.addProfile("work", url, "--legacy")
				return url
			},
			wantCode:   ExitOK,
			wantState:  "legacy",
			wantLegacy: true,
		},
		{
			name: "rejected",
			setup: func(t *testing.T, h *harness) string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailReject)
				return url
			},
			wantCode:  ExitRejected,
			wantState: "rejected",
			wantError: true,
		},
		{
			name: "server error",
			setup: func(t *testing.T, h *harness) string {
				emu, url := startEmulator(t)
				h.addProfile("work", url)
				emu.SetFailure(emulator.FailServerError)
				return url
			},
			wantCode:  ExitNetwork,
			wantState: "error",
			wantError: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			url := tt.setup(t, h)

			r := h.run("", "status", "--json")
			if r.code != tt.wantCode {
				t.Errorf("got exit code %d, want %d; stderr: %s", r.code, tt.wantCode, r.stderr)
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &fields); err != nil {
				t.Fatalf("stdout is not one JSON object: %v; stdout: %q", err, r.stdout)
			}
			want := map[string]any{
				"profile":  "work",
				"clientId": testClientID,
				"apiUrl":   url,
				"legacy":   tt.wantLegacy,
				"state":    tt.wantState,
			}
			for key, value := range want {
				if fields[key] != value {
					t.Errorf("field %q: got %v, want %v", key, fields[key], value)
				}
			}
			for _, key := range []string{"expiresAt", "expiresInSeconds", "scope"} {
				if _, ok := fields[key]; ok != tt.wantExpiry {
					t.Errorf("field %q present: got %v, want %v", key, ok, tt.wantExpiry)
				}
			}
			if seconds, ok := fields["expiresInSeconds"].(float64); tt.wantExpiry && (seconds < 43190 || seconds > 43200) {
				t.Errorf("expiresInSeconds: got %v (%v), want about 43200 for a new 12-hour token", seconds, ok)
			}
			if _, ok := fields["error"]; ok != tt.wantError {
				t.Errorf("field \"error\" present: got %v, want %v", ok, tt.wantError)
			}

			sensitive := append([]string{}, h.sensitive...)
			if tt.wantCode == ExitOK && !tt.wantLegacy {
				sensitive = append(sensitive, fetchDirect(t, url))
			}
			for _, text := range sensitive {
				if strings.Contains(r.stdout, text) {
					t.Errorf("status --json output contains a secret or token (%.6s…): %q", text, r.stdout)
				}
			}
		})
	}
}

func TestFlagErrorKeepsStdoutEmpty(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"token", "--bogus"}, {"header", "--nope"}, {"profile", "add", "x", "--what"}} {
		r := h.run("", args...)
		if r.code != ExitUsage {
			t.Errorf("athos-tray %s: exit %d, want %d", strings.Join(args, " "), r.code, ExitUsage)
		}
		if r.stdout != "" {
			t.Errorf("athos-tray %s: stdout %q, want it empty so scripts capture nothing", strings.Join(args, " "), r.stdout)
		}
	}
}
