//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// Window titles, as package ui sets them.
const (
	credentialsWindowTitle = "Athos Token Tray: credentials"
	tokenWindowTitle       = "Athos Token Tray: token details"
	settingsWindowTitle    = "Athos Token Tray: settings"
)

// windowID waits for the X window titled title and returns its id.
func windowID(t *testing.T, title string) string {
	t.Helper()
	var id string
	waitFor(t, 30*time.Second, "window "+title, func() (bool, string) {
		out, _ := exec.Command("xdotool", "search", "--name", "^"+title+"$").Output()
		fields := strings.Fields(string(out))
		if len(fields) == 0 {
			return false, "no window"
		}
		id = fields[0]
		return len(fields) == 1, strconv.Itoa(len(fields)) + " windows"
	})
	return id
}

// xdotool runs xdotool with args, which types and presses keys through
// the XTEST extension as a keyboard would.
func xdotool(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("xdotool", args...).CombinedOutput(); err != nil {
		t.Fatalf("xdotool %s: %v: %s", args[0], err, out)
	}
}

// focusWindow gives the window id the keyboard focus, retrying while the
// window is not yet mapped, when X rejects the request with BadMatch.
func focusWindow(t *testing.T, id string) {
	t.Helper()
	waitFor(t, 10*time.Second, "focus window "+id, func() (bool, string) {
		out, err := exec.Command("xdotool", "windowfocus", "--sync", id).CombinedOutput()
		return err == nil, strings.TrimSpace(string(out))
	})
}

// closeWindowProcess ends the tray's only window process and waits until
// the window titled title is gone and the tray has logged that it closed,
// after which the tray opens that window again on request.
func closeWindowProcess(t *testing.T, f *fixture, tray *exec.Cmd, title string) {
	t.Helper()
	closed := strings.Count(f.output.String(), `msg="window closed"`)
	children := childPIDs(t, tray.Process.Pid)
	if len(children) != 1 {
		t.Fatalf("tray has %d child processes, want the one window", len(children))
	}
	if err := syscall.Kill(children[0], syscall.SIGTERM); err != nil {
		t.Fatalf("close the window process: %v", err)
	}
	waitFor(t, 10*time.Second, "window closed", func() (bool, string) {
		n := windowCount(t, title)
		return n == 0, strconv.Itoa(n) + " windows"
	})
	waitFor(t, 10*time.Second, "tray noticed the window closed", func() (bool, string) {
		return strings.Count(f.output.String(), `msg="window closed"`) > closed, "no new log line"
	})
}

// readSettings decodes settings.json in the fixture's config folder.
func readSettings(t *testing.T, f *fixture) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(f.configDir, "settings.json"))
	if err != nil {
		t.Fatalf("read settings file: %v", err)
	}
	var values map[string]any
	if err := json.Unmarshal(data, &values); err != nil {
		t.Fatalf("decode settings file: %v", err)
	}
	return values
}

func writeSettings(t *testing.T, f *fixture, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.configDir, "settings.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// typeCredentials fills the credentials window id as a person would and
// waits for it to close after saving. The name field has the focus, Tab
// moves through client id, secret and the two API URL choices to the URL
// field, and Enter saves.
func typeCredentials(t *testing.T, id, name, apiURL string) {
	t.Helper()
	focusWindow(t, id)
	xdotool(t, "type", "--delay", "20", name)
	xdotool(t, "key", "Tab")
	xdotool(t, "type", "--delay", "20", clientID)
	xdotool(t, "key", "Tab")
	xdotool(t, "type", "--delay", "20", secret)
	xdotool(t, "key", "Tab", "Tab", "Tab")
	xdotool(t, "type", "--delay", "20", apiURL)
	xdotool(t, "key", "Return")

	waitFor(t, 20*time.Second, "window closed after saving", func() (bool, string) {
		n := windowCount(t, credentialsWindowTitle)
		return n == 0, strconv.Itoa(n) + " windows"
	})
}

func TestFirstRunOpensCredentialsWindow(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)

	item, cmd := f.startTray(s)
	item.waitForStatus(startTimeout, equals("No profile: use Add Athos credentials…"), "first-run status")
	if e := item.entry("Add Athos credentials…"); !e.Enabled {
		t.Errorf("Add Athos credentials… is disabled")
	}
	id := windowID(t, credentialsWindowTitle)
	if prompted := readSettings(t, f)["credentialsPrompted"]; prompted != true {
		t.Errorf("settings file credentialsPrompted = %v, want true", prompted)
	}
	screenshot(t, id, "credentials")

	typeCredentials(t, id, "typed", f.baseURL)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown of the typed profile")
	profileMenu := item.entry("Profile: typed")
	if typed, ok := profileMenu.find(equals("typed")); !ok || !typed.Toggled {
		t.Errorf("profile submenu lacks a checked entry for the typed profile")
	}
	if _, ok := item.layout().find(equals("Add Athos credentials…")); ok {
		t.Errorf("Add Athos credentials… still shown with a profile configured")
	}
	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatus(bearer); code != 200 {
		t.Errorf("protected endpoint with the typed profile's token = %d, want 200", code)
	}
	f.assertNoSecrets(bearerToken(bearer))
	if len(childPIDs(t, cmd.Process.Pid)) != 0 {
		t.Errorf("window process still running after the window closed")
	}
}

func TestFirstRunWindowOpensOnce(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	writeSettings(t, f, `{"credentialsPrompted": true}`)

	item, cmd := f.startTray(s)
	item.waitForStatus(startTimeout, equals("No profile: use Add Athos credentials…"), "first-run status")
	// The tray would open the window in the same step that logs the
	// missing profile.
	waitFor(t, 10*time.Second, "no-profile log line", func() (bool, string) {
		return strings.Contains(f.output.String(), "no profile configured"), "not logged yet"
	})
	if strings.Contains(f.output.String(), `msg="window opened"`) {
		t.Fatalf("tray opened the credentials window although it had opened it before")
	}
	if n := len(childPIDs(t, cmd.Process.Pid)); n != 0 {
		t.Fatalf("tray started %d window processes although it had opened the window before", n)
	}

	item.click("Add Athos credentials…")
	windowID(t, credentialsWindowTitle)
	closeWindowProcess(t, f, cmd, credentialsWindowTitle)
}

func TestWindowsOpenFromMenu(t *testing.T) {
	_, f, item, cmd := startProfileTray(t, emulator.Config{})
	token := bearerToken(copyVia(t, item, "Copy Bearer header", "Authorization: Bearer "))

	item.click("Token details…")
	id := windowID(t, tokenWindowTitle)
	screenshot(t, id, "token-details")
	// The token reaches the window through a pipe, never its arguments
	// or environment.
	children := childPIDs(t, cmd.Process.Pid)
	if len(children) != 1 {
		t.Fatalf("tray has %d child processes with the token window open, want 1", len(children))
	}
	for _, name := range []string{"cmdline", "environ"} {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(children[0]) + "/" + name)
		if err != nil {
			t.Fatalf("read the window's %s: %v", name, err)
		}
		if strings.Contains(string(data), token) {
			t.Errorf("token window's %s contains the token", name)
		}
	}
	if args, _ := os.ReadFile("/proc/" + strconv.Itoa(children[0]) + "/cmdline"); !strings.Contains(string(args), "e2e") {
		t.Errorf("token window's arguments lack the profile name")
	}
	// A refresh while the window is open sends it the new token, and the
	// window closes as usual afterwards.
	item.click("Refresh token now")
	item.waitForStatus(10*time.Second, equals("Token refreshed"), "refresh with the window open")
	closeWindowProcess(t, f, cmd, tokenWindowTitle)

	// The tray noticed the window's end, so the item opens it again.
	item.click("Token details…")
	windowID(t, tokenWindowTitle)
	closeWindowProcess(t, f, cmd, tokenWindowTitle)

	item.click("Manage profiles…")
	screenshot(t, windowID(t, profilesWindowTitle), "profiles")
	closeWindowProcess(t, f, cmd, profilesWindowTitle)

	item.click("Settings…")
	id = windowID(t, settingsWindowTitle)
	screenshot(t, id, "settings")
	// Tab reaches the three copy formats in turn, and space picks the
	// third, "Token alone". The window saves at once and the tray reads
	// the file again.
	focusWindow(t, id)
	xdotool(t, "key", "Tab", "Tab", "Tab", "space")
	waitFor(t, 10*time.Second, "copy format saved", func() (bool, string) {
		data, _ := os.ReadFile(filepath.Join(f.configDir, "settings.json"))
		return strings.Contains(string(data), `"copyFormat": "token"`), "settings.json: " + string(data)
	})
	waitFor(t, 15*time.Second, "token-alone copy", func() (bool, string) {
		copied := copyVia(t, item, "Copy Bearer header", "")
		return copied == token, "clipboard starts with " + copied[:min(len(copied), 13)]
	})
	closeWindowProcess(t, f, cmd, settingsWindowTitle)

	if line := item.statusLine(); strings.Contains(line, "failed") {
		t.Errorf("status after the windows closed = %q, want no failure", line)
	}
	f.assertNoSecrets(token)
}

func TestCopyFormatAndClipboardClearing(t *testing.T) {
	_, f, item, _ := startProfileTray(t, emulator.Config{})

	// The settings window saves this file; the tray reads it within two
	// seconds of a change.
	writeSettings(t, f, `{"copyFormat": "token", "clearClipboardSeconds": 30, "notifications": true}`)
	var token string
	waitFor(t, 15*time.Second, "token-alone copy", func() (bool, string) {
		token = copyVia(t, item, "Copy Bearer header", "")
		return strings.HasPrefix(token, "ey"), "clipboard starts with " + token[:min(len(token), 13)]
	})
	copied := time.Now()
	waitFor(t, 60*time.Second, "clipboard cleared", func() (bool, string) {
		return readClipboard(t) == "", "clipboard not empty"
	})
	if elapsed := time.Since(copied); elapsed < 25*time.Second {
		t.Errorf("clipboard cleared %v after the copy, want about 30s", elapsed.Round(time.Second))
	}

	// Text the user copied after the tray's copy is left alone.
	copyVia(t, item, "Copy Bearer header", "ey")
	cmd := exec.Command("xclip", "-selection", "clipboard", "-i")
	cmd.Stdin = strings.NewReader("copied by the user")
	if err := cmd.Run(); err != nil {
		t.Fatalf("xclip -i: %v", err)
	}
	time.Sleep(40 * time.Second) // past the 30 s delay
	if got := readClipboard(t); got != "copied by the user" {
		t.Errorf("clipboard = %d bytes after the delay, want the user's text kept", len(got))
	}

	// A pending clear also happens on quit.
	copyVia(t, item, "Copy Bearer header", "ey")
	item.click("Quit")
	waitFor(t, 15*time.Second, "clipboard cleared on quit", func() (bool, string) {
		return readClipboard(t) == "", "clipboard not empty"
	})
	f.assertNoSecrets(token)
}

func TestSandboxSwitchesToAddedProfile(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{Lifetime: 6 * time.Hour})
	logOutputOnFailure(t, f)

	item, cmd := f.startTray(s, "--sandbox")
	item.waitForStatus(startTimeout, equals("Expires in 11h 59m"), "countdown of the sandbox")
	if n := len(childPIDs(t, cmd.Process.Pid)); n != 0 {
		t.Errorf("sandbox tray opened %d windows by itself, want none", n)
	}

	item.click("Add Athos credentials…")
	typeCredentials(t, windowID(t, credentialsWindowTitle), "real", f.baseURL)

	// The fixture's emulator hands out 6-hour tokens, unlike the sandbox.
	item.waitForStatus(startTimeout, equals("Expires in 5h 59m"), "countdown of the added profile")
	if e := item.entry("Profile: real"); !e.Enabled {
		t.Errorf("profile submenu disabled after leaving the sandbox")
	}
	if _, ok := item.layout().find(equals("Manage profiles…")); !ok {
		t.Errorf("Manage profiles… missing after leaving the sandbox")
	}
	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatus(bearer); code != 200 {
		t.Errorf("added profile's server answered %d to the copied header, want 200", code)
	}
}

func TestManageProfilesAddsSecondProfile(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)
	f.addProfile("first")
	otherURL := startSecondEmulator(t, 6*time.Hour)

	item, cmd := f.startTray(s)
	item.waitForStatus(startTimeout, equals("Expires in 11h 59m"), "countdown of the first profile")

	// In the profile window, Tab moves to the list and then to Add…, and
	// space presses it, which opens the credentials form.
	item.click("Manage profiles…")
	focusWindow(t, windowID(t, profilesWindowTitle))
	xdotool(t, "key", "Tab", "Tab", "space")
	typeCredentials(t, windowID(t, credentialsWindowTitle), "second", otherURL)

	waitFor(t, 10*time.Second, "second profile in the submenu", func() (bool, string) {
		menu, ok := item.layout().find(equals("Profile: first"))
		second, found := menu.find(equals("second"))
		return ok && found && !second.Toggled, "submenu: " + strings.Join(menu.labels(), ", ")
	})
	closeWindowProcess(t, f, cmd, profilesWindowTitle)

	item.click("second")
	item.waitForStatus(10*time.Second, equals("Expires in 5h 59m"), "countdown of the second profile")
	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatusAt(otherURL, bearer); code != 200 {
		t.Errorf("second profile's server answered %d to the copied header, want 200", code)
	}
	f.assertNoSecrets(bearerToken(bearer))
}

// startSecondEmulator serves a second emulator on 127.0.0.1 whose tokens
// live for lifetime, so that the countdown shows which server the tray
// uses, and returns its URL.
func startSecondEmulator(t *testing.T, lifetime time.Duration) string {
	t.Helper()
	other := emulator.New(emulator.Config{ClientID: clientID, ClientSecret: secret, Lifetime: lifetime})
	url, err := other.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	return url
}

// windowProcess returns the pid of the tray's window process for window
// name, as in 'athos-tray window NAME'.
func windowProcess(t *testing.T, tray *exec.Cmd, name string) int {
	t.Helper()
	for _, pid := range childPIDs(t, tray.Process.Pid) {
		args, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
		fields := strings.Split(string(args), "\x00")
		if len(fields) > 2 && fields[1] == "window" && fields[2] == name {
			return pid
		}
	}
	t.Fatalf("tray has no %s window process", name)
	return 0
}

func TestWindowClosesBesideAnotherWindow(t *testing.T) {
	_, f, item, cmd := startProfileTray(t, emulator.Config{})

	item.click("Token details…")
	windowID(t, tokenWindowTitle)
	item.click("Settings…")
	windowID(t, settingsWindowTitle)

	// Each window process writes Fyne's preferences file when it exits.
	// The other one must not read that file half-written.
	for round := range 8 {
		closed := strings.Count(f.output.String(), `msg="window closed"`)
		if err := syscall.Kill(windowProcess(t, cmd, "settings"), syscall.SIGTERM); err != nil {
			t.Fatalf("close the settings window: %v", err)
		}
		waitFor(t, 10*time.Second, "tray noticed the settings window closed", func() (bool, string) {
			return strings.Count(f.output.String(), `msg="window closed"`) > closed, "no new log line"
		})
		if round < 7 {
			item.click("Settings…")
			windowID(t, settingsWindowTitle)
		}
	}
	closeWindowProcess(t, f, cmd, tokenWindowTitle)

	if out := f.output.String(); strings.Contains(out, "Preferences load error") {
		t.Errorf("a window logged a Fyne preferences load error when another window closed")
	}
}
