//go:build e2e

package e2e

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

// hygieneSecret is distinctive, so that a match cannot be an ordinary
// word such as "secret" in a log message.
const hygieneSecret = "Hyg13ne-s3cret-7d41c"

// needles are the texts that no file, argument or environment may contain,
// keyed by a name that a failure message may print.
type needles map[string][]byte

func (n needles) add(name, text string) {
	if text == "" {
		return
	}
	n[name] = []byte(text)
	// A log line cut to its last characters is still a leak.
	if len(text) > 24 {
		n[name+" (last 24 characters)"] = []byte(text[len(text)-24:])
	}
}

// find returns the names of the needles in data.
func (n needles) find(data []byte) []string {
	var names []string
	for name, needle := range n {
		if bytes.Contains(data, needle) {
			names = append(names, name)
		}
	}
	return names
}

// scan reports every needle found in data, naming where without showing
// the match.
func (n needles) scan(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, name := range n.find(data) {
		t.Errorf("%s contains the %s", where, name)
	}
}

// scanTree scans every regular file under root.
func (n needles) scanTree(t *testing.T, root string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		n.scan(t, path, data)
		return nil
	})
	if err != nil {
		t.Fatalf("scan %s: %v", root, err)
	}
	return files
}

// scanProcess scans the arguments and environment of process pid.
func (n needles) scanProcess(t *testing.T, pid int, what string) {
	t.Helper()
	for _, file := range []string{"cmdline", "environ"} {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, file))
		if err != nil {
			t.Fatalf("read /proc/%d/%s of the %s: %v", pid, file, what, err)
		}
		n.scan(t, fmt.Sprintf("/proc/%d/%s of the %s", pid, file, what), data)
	}
}

func TestRunLeavesNoSecretBehind(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{ClientSecret: hygieneSecret})
	fr := newFront(t, f.emu)
	f.addProfileAt("hygiene", fr.url())
	item, tray := f.startTray(s)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")

	found := needles{}
	found.add("client secret", hygieneSecret)
	found.add("Basic credentials", base64.StdEncoding.EncodeToString([]byte(clientID+":"+hygieneSecret)))
	bearer := copyBearerHeader(t, item)
	found.add("access token", bearerToken(bearer))
	copyVia(t, item, "Copy legacy Basic header", "Authorization: Basic ")
	item.waitForStatus(5*time.Second, equals("Legacy Basic header copied"), "copy result")

	// Failures of every kind go to the log with their errors.
	for _, failure := range []emulator.Failure{emulator.FailMalformed, emulator.FailReject, emulator.FailServerError} {
		f.emu.SetFailure(failure)
		item.click("Refresh token now")
		item.waitForStatus(15*time.Second, hasPrefix("Refresh token failed: "), "failed refresh with "+failure.String())
	}
	fr.stop()
	item.click("Refresh token now")
	item.waitForStatus(15*time.Second, hasPrefix("Offline, retrying in "), "offline status")
	fr.start()
	f.emu.SetFailure(emulator.FailNone)
	item.click("Refresh token now")
	item.waitForStatus(30*time.Second, clean, "countdown after recovery")

	// The tray, its window process and a second start.
	found.scanProcess(t, tray.Process.Pid, "tray")
	item.click("Manage profiles…")
	window := waitForWindowChild(t, tray.Process.Pid, "profiles")
	found.scanProcess(t, window, "profile window")
	// The token window gets the token through its standard input.
	item.click("Token details…")
	tokenWindow := waitForWindowChild(t, tray.Process.Pid, "token")
	found.scanProcess(t, tokenWindow, "token window")
	second := f.command("", "tray")
	if err := runWithTimeout(second, 20*time.Second); err == nil {
		t.Errorf("second tray start succeeded, want exit code 6")
	}
	for _, child := range childProcesses(t, tray.Process.Pid) {
		found.scanProcess(t, child, fmt.Sprintf("tray's child %v", commandLine(child)))
	}

	item.click("Quit")
	if err := waitExit(tray, 15*time.Second); err != nil {
		t.Errorf("tray after Quit: %v", err)
	}
	if args := commandLine(window); args != nil {
		t.Errorf("profile window process %d still runs after Quit", window)
	}

	configFiles := found.scanTree(t, f.configDir)
	cacheFiles := found.scanTree(t, f.cacheDir)
	found.scan(t, "output of the tray and the commands", []byte(f.output.String()))
	log := f.trayLog()
	for _, want := range []string{
		`msg="tray starting"`,
		`msg="profile active" profile=hygiene`,
		`msg="token request started" profile=hygiene`,
		`msg="token received" profile=hygiene`,
		`level=WARN msg="token request failed[^"]*" profile=hygiene`,
		`level=ERROR msg="token request rejected[^"]*" profile=hygiene`,
		`msg="refresh token failed" profile=hygiene`,
		`msg="header copied" profile=hygiene`,
		`msg="another start asked the tray to show itself" profile=hygiene`,
		`msg="tray stopped" profile=hygiene`,
	} {
		if !regexp.MustCompile(want).MatchString(log) {
			t.Errorf("tray log %s has no line matching %s", f.logPath(), want)
		}
	}
	t.Logf("scanned %d files in the config folder, %d in the cache folder, %d bytes of output",
		configFiles, cacheFiles, len(f.output.String()))
}
