//go:build e2e

package e2e

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

const (
	// watcherName is the bus name a tray host owns.
	watcherName = "org.kde.StatusNotifierWatcher"
	// prompterName is owned by gcr-prompter while gnome-keyring shows an
	// unlock prompt.
	prompterName = "org.gnome.keyring.SystemPrompter"
	// loginCollection is the Secret Service collection that go-keyring uses.
	loginCollection = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	// privateSessionEnv is set in a test process that a test started in a
	// desktop session of its own.
	privateSessionEnv = "ATHOS_E2E_PRIVATE_SESSION"
)

// sandboxURLPattern matches the tray's log line that names the base URL of
// the sandbox's own emulator.
var sandboxURLPattern = regexp.MustCompile(`msg="sandbox emulator started" url=(http://127\.0\.0\.1:\d+)`)

// nameHasOwner reports whether name has an owner on the session bus.
func nameHasOwner(t *testing.T, conn *dbus.Conn, name string) bool {
	t.Helper()
	var owned bool
	err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&owned)
	if err != nil {
		t.Fatalf("NameHasOwner %s: %v", name, err)
	}
	return owned
}

// logOutputOnFailure logs the output of the fixture's commands and tray
// when the test fails. assertNoSecrets checks that it contains no secret.
func logOutputOnFailure(t *testing.T, f *fixture) {
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("output of athos-tray:\n%s", f.output.String())
		}
	})
}

// copyBearerHeader copies the Bearer header and waits until the tray shows
// the result of the copy. The tray reports the copy after reading the
// clipboard back, so without the wait that report can replace the result
// of the next click before the test reads the status line.
//
// NOTE: in a full run the tray's read-back once found other text on the
// clipboard right after start, for a reason not yet known, and reported
// "Copy failed". The copy is therefore tried up to three times.
func copyBearerHeader(t *testing.T, item *trayItem) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		header := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
		line := item.waitForStatus(5*time.Second, func(line string) bool {
			return line == "Bearer header copied" || strings.HasPrefix(line, "Copy failed")
		}, "copy result")
		if line == "Bearer header copied" {
			return header
		}
		if attempt == 3 {
			t.Fatalf("copy of the Bearer header failed %d times; last status %q", attempt, line)
		}
		t.Logf("copy attempt %d: %q; trying again", attempt, line)
		item.waitForStatus(5*time.Second, func(line string) bool { return !strings.HasPrefix(line, "Copy failed") },
			"end of the copy failure message")
	}
}

func TestTrayKeepsTokenOnServerError(t *testing.T) {
	_, f, item, _ := startProfileTray(t, emulator.Config{})
	first := copyBearerHeader(t, item)

	f.emu.SetFailure(emulator.FailServerError)
	item.click("Refresh token now")
	var seen []string
	item.waitForStatus(10*time.Second, func(line string) bool {
		if len(seen) == 0 || seen[len(seen)-1] != line {
			seen = append(seen, line)
		}
		return strings.Contains(line, "Server error 500")
	}, "failure shown after the refresh")
	if slices.Contains(seen, "Token refreshed") {
		t.Errorf("status lines after a refresh that got 500: %q; want a failure, not %q", seen, "Token refreshed")
	}
	line := item.waitForStatus(10*time.Second, hasPrefix("Server error 500, retrying in "), "retry status after the failure")
	if !strings.Contains(line, " · expires in ") {
		t.Errorf("status line = %q, want the time left on the kept token", line)
	}

	keptHeader := copyBearerHeader(t, item)
	if keptHeader != first {
		t.Errorf("copied Bearer header changed while the server failed, want the kept token")
	}
	if code := f.protectedStatus(keptHeader); code != http.StatusOK {
		t.Errorf("protected endpoint with the kept token = %d, want 200", code)
	}

	f.emu.SetFailure(emulator.FailNone)
	item.click("Refresh token now")
	item.waitForStatus(10*time.Second, equals("Token refreshed"), "refresh after the server recovered")
	item.waitForStatus(10*time.Second, func(line string) bool {
		return strings.HasPrefix(line, "Expires in ") && !strings.Contains(line, "refresh failed")
	}, "countdown without the failure")
	recovered := copyBearerHeader(t, item)
	if code := f.protectedStatus(recovered); code != http.StatusOK {
		t.Errorf("protected endpoint with the token after recovery = %d, want 200", code)
	}
	f.assertNoSecrets(bearerToken(first), bearerToken(recovered))
}

func TestTrayStopsRetryingRejectedCredentials(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)
	f.emu.SetFailure(emulator.FailReject)
	f.addProfile("e2e", "--no-verify")

	item, _ := f.startTray(s)
	rejectedLine := "Credentials rejected: update the secret, then choose Refresh token now"
	item.waitForStatus(startTimeout, equals(rejectedLine), "rejection status")
	if e := item.entry("Copy Bearer header"); e.Enabled {
		t.Errorf("Bearer item is enabled without a token")
	}

	requests := f.emu.Stats().TokenRequests
	// This wait shows that nothing happens: the manager's first retry after
	// a failure comes 5s ±20% later, so a retry loop would send a request
	// within these 6s.
	time.Sleep(6 * time.Second)
	if got := f.emu.Stats().TokenRequests; got != requests {
		t.Errorf("token requests grew from %d to %d after the rejection, want no retries", requests, got)
	}
	if line := item.statusLine(); line != rejectedLine {
		t.Errorf("status line = %q, want %q", line, rejectedLine)
	}

	// A manual refresh tries once more.
	item.click("Refresh token now")
	item.waitForStatus(10*time.Second, equals("Refresh token failed: Credentials rejected"), "manual refresh result")
	if got := f.emu.Stats().TokenRequests; got != requests+1 {
		t.Errorf("token requests after a manual refresh = %d, want %d", got, requests+1)
	}
	f.assertNoSecrets()
}

func TestTrayWaitsForTrayHost(t *testing.T) {
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)
	f.addProfile("e2e")

	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		t.Fatalf("connect to the session bus: %v", err)
	}
	defer conn.Close()
	if nameHasOwner(t, conn, watcherName) {
		t.Fatalf("%s already has an owner; a shell of an earlier test was not released", watcherName)
	}

	cmd := f.command("", "tray")
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tray: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	waitFor(t, startTimeout, "warning about the missing tray host", func() (bool, string) {
		out := f.output.String()
		return strings.Contains(out, "no system tray host") && strings.Contains(out, "AppIndicator"),
			fmt.Sprintf("output %q", out)
	})

	s := newShell(t)
	item := s.waitForItem(10 * time.Second)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after the host appeared")
	waitFor(t, 10*time.Second, "tooltip matching the menu", func() (bool, string) {
		tip := item.tooltip()
		return strings.Contains(tip, "Token valid until"), fmt.Sprintf("tooltip %q", tip)
	})
	header := copyBearerHeader(t, item)
	if code := f.protectedStatus(header); code != http.StatusOK {
		t.Errorf("protected endpoint with the copied header = %d, want 200", code)
	}
	f.assertNoSecrets(bearerToken(header))
}

func TestTraySandbox(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)

	item, _ := f.startTray(s, "--sandbox")
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown in the sandbox")
	layout := item.layout()
	if labels := layout.labels(); !strings.HasPrefix(labels[0], "Sandbox") {
		t.Errorf("first menu line = %q, want it to start with %q", labels[0], "Sandbox")
	}
	if _, ok := layout.find(equals("Manage profiles…")); ok {
		t.Errorf("sandbox menu has %q, want only %q", "Manage profiles…", "Add Athos credentials…")
	}
	if _, ok := layout.find(equals("Add Athos credentials…")); !ok {
		t.Errorf("sandbox menu lacks %q", "Add Athos credentials…")
	}

	header := copyBearerHeader(t, item)
	match := sandboxURLPattern.FindStringSubmatch(f.output.String())
	if match == nil {
		t.Fatalf("tray log has no line %q", "sandbox emulator started url=http://127.0.0.1:PORT")
	}
	sandbox := *f
	sandbox.baseURL = match[1]
	if code := sandbox.protectedStatus(header); code != http.StatusOK {
		t.Errorf("sandbox emulator's protected endpoint with the copied header = %d, want 200", code)
	}

	_, err := os.Stat(filepath.Join(f.configDir, "profiles.json"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("profile file after a sandbox run: stat error %v, want it not to exist", err)
	}
	if strings.Contains(f.output.String(), bearerToken(header)) {
		t.Errorf("tray output contains the sandbox token")
	}
}

// TestTrayKeepsTokenWhenKeyringLocked runs in a desktop session of its own.
// Unlocking the login collection again needs a password typed into the
// gcr-prompter window, and every other test shares the keyring daemon of
// the session that runs them.
func TestTrayKeepsTokenWhenKeyringLocked(t *testing.T) {
	if os.Getenv(privateSessionEnv) == "" {
		runInPrivateSession(t, "TestTrayKeepsTokenWhenKeyringLocked")
		return
	}

	s, f, item, _ := startProfileTray(t, emulator.Config{})
	first := copyBearerHeader(t, item)

	var locked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	err := s.conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets").
		Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{loginCollection}).Store(&locked, &prompt)
	if err != nil || !slices.Contains(locked, loginCollection) {
		t.Fatalf("lock %s: locked %v, prompt %s, error %v", loginCollection, locked, prompt, err)
	}

	// 'profile use' rewrites the profile file without reading the keyring,
	// so the tray reloads the profile and its secret from the locked keyring.
	f.run("", "profile", "use", "e2e")
	waitFor(t, 10*time.Second, "reload after the profile file changed", func() (bool, string) {
		return strings.Contains(f.output.String(), "profile file changed; reloading"), "no reload in the tray log"
	})
	// Nothing else in this session reads the keyring, so the prompt is the
	// tray's request to unlock. Its keyring read now waits for a person.
	waitFor(t, 20*time.Second, "unlock prompt for the tray's keyring read", func() (bool, string) {
		return nameHasOwner(t, s.conn, prompterName), prompterName + " has no owner"
	})
	t.Log("the tray's keyring read is waiting on an unlock prompt")

	item.waitForStatus(10*time.Second, hasPrefix("Expires in "), "countdown while the keyring is locked")
	keptHeader := copyBearerHeader(t, item)
	if keptHeader != first {
		t.Errorf("copied Bearer header changed while the keyring was locked, want the kept token")
	}
	if code := f.protectedStatus(keptHeader); code != http.StatusOK {
		t.Errorf("protected endpoint with the kept token = %d, want 200", code)
	}
	item.click("Refresh token now")
	item.waitForStatus(10*time.Second, equals("Token refreshed"), "refresh while the keyring is locked")
	f.assertNoSecrets(bearerToken(first))
}

// runInPrivateSession runs the test named name again, in a new desktop
// session from scripts/desktop-session.sh, and fails when it fails there.
func runInPrivateSession(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()

	cmd := exec.CommandContext(ctx, "../scripts/desktop-session.sh", os.Args[0],
		"-test.run=^"+name+"$", "-test.count=1", "-test.v", "-test.timeout=3m")
	cmd.Env = append(os.Environ(), privateSessionEnv+"=1")
	// SIGTERM lets the script stop the session's processes, but SIGKILL
	// would leave them running.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("output of the private session:\n%s", out)
	if err != nil {
		t.Fatalf("%s in its own desktop session: %v", name, err)
	}
}
