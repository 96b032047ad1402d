//go:build e2e

package e2e

import (
	"bytes"
	"errors"
	"fmt"
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

// childProcesses returns the ids of the running processes whose parent is
// pid, read from /proc.
func childProcesses(t *testing.T, pid int) []int {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var children []int
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended
		}
		// The command name in brackets may contain spaces, so the fields
		// are counted from the last ')': state, then the parent id.
		fields := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(pid) {
			continue
		}
		child, err := strconv.Atoi(filepath.Base(filepath.Dir(path)))
		if err == nil {
			children = append(children, child)
		}
	}
	return children
}

// commandLine returns the arguments of process pid, nil once it ended.
func commandLine(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(data) == 0 {
		return nil
	}
	return strings.Split(strings.TrimSuffix(string(data), "\x00"), "\x00")
}

// waitForWindowChild waits until the tray runs 'athos-tray window NAME'
// and returns the child's process id.
func waitForWindowChild(t *testing.T, trayPID int, name string) int {
	t.Helper()
	var found int
	waitFor(t, 15*time.Second, "window process "+name, func() (bool, string) {
		for _, child := range childProcesses(t, trayPID) {
			args := commandLine(child)
			if len(args) >= 3 && args[1] == "window" && args[2] == name {
				found = child
				return true, ""
			}
		}
		return false, "no child runs 'window " + name + "'"
	})
	// Killing the tray at the end of a test would leave the window running.
	t.Cleanup(func() {
		if process, err := os.FindProcess(found); err == nil {
			process.Kill()
		}
	})
	return found
}

func TestSecondStartShowsRunningTray(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	logOutputOnFailure(t, f)
	f.addProfile("first")
	item, tray := f.startTray(s)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")

	var stderr bytes.Buffer
	second := f.command("", "tray")
	second.Stdout, second.Stderr = &stderr, &stderr
	err := runWithTimeout(second, 20*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 6 {
		t.Fatalf("second tray start: %v, want exit code 6; output %q", err, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, "already running for "+f.configDir) ||
		!strings.Contains(msg, fmt.Sprintf("process %d", tray.Process.Pid)) {
		t.Errorf("second start said %q, want the folder and the running tray's process id", msg)
	}
	window := waitForWindowChild(t, tray.Process.Pid, "profiles")
	waitFor(t, 30*time.Second, "profile window on the screen", func() (bool, string) {
		n := windowCount(t, profilesWindowTitle)
		return n == 1, strconv.Itoa(n) + " windows"
	})
	if registrations := s.registrations(); registrations != 1 {
		t.Errorf("%d tray items registered with the shell, want 1", registrations)
	}
	if err := syscall.Kill(window, syscall.SIGTERM); err != nil {
		t.Fatalf("close the window process: %v", err)
	}
	waitFor(t, 10*time.Second, "window closed", func() (bool, string) {
		n := windowCount(t, profilesWindowTitle)
		return n == 0, strconv.Itoa(n) + " windows"
	})

	// Another configuration folder is another user of the program and
	// gets its own tray.
	other := newFixture(t, emulator.Config{})
	other.addProfile("other")
	otherItem, _ := other.startTray(s)
	otherItem.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown of the tray for another folder")

	// The command line keeps working while the tray runs, and a profile
	// changed there reaches the tray.
	bearer := copyBearerHeader(t, item)
	if got := f.run("", "header"); got != bearer {
		t.Errorf("'athos-tray header' while the tray runs differs from the copied header")
	}
	if got := f.run("", "status"); !strings.Contains(got, "State:     valid") {
		t.Errorf("'athos-tray status' while the tray runs = %q, want state valid", got)
	}
	longer := emulator.New(emulator.Config{ClientID: clientID, ClientSecret: f.secret, Lifetime: 6 * time.Hour})
	longerURL, err := longer.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { longer.Close() })
	f.addProfileAt("second", longerURL)
	f.run("", "profile", "use", "second")
	waitFor(t, 15*time.Second, "profile switch from the command line", func() (bool, string) {
		labels := item.layout().labels()
		return labels[0] == "Profile: second" && strings.HasPrefix(labels[1], "Expires in 5h "),
			fmt.Sprintf("menu %q", labels)
	})
	f.assertNoSecrets(bearerToken(bearer))
}

// runWithTimeout runs cmd and kills it after timeout.
func runWithTimeout(cmd *exec.Cmd, timeout time.Duration) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	return waitExit(cmd, timeout)
}

// waitExit waits for the started cmd and kills it after timeout.
func waitExit(cmd *exec.Cmd, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return fmt.Errorf("still running after %v", timeout)
	}
}
