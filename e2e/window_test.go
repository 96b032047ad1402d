//go:build e2e

package e2e

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth/emulator"
)

const profilesWindowTitle = "Athos Token Tray: profiles"

// windowCount returns how many X windows carry title. xwininfo fails when
// a window disappears while it walks the tree, as Fyne's start-up windows
// do, so a failed walk is tried again.
func windowCount(t *testing.T, title string) int {
	t.Helper()
	var err error
	for range 10 {
		var out []byte
		if out, err = exec.Command("xwininfo", "-root", "-tree").Output(); err == nil {
			return strings.Count(string(out), `"`+title+`": (`)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("xwininfo: %v", err)
	return 0
}

// childPIDs returns the processes whose parent is pid.
func childPIDs(t *testing.T, pid int) []int {
	t.Helper()
	out, _ := exec.Command("pgrep", "-P", strconv.Itoa(pid)).Output()
	var pids []int
	for _, field := range strings.Fields(string(out)) {
		if n, err := strconv.Atoi(field); err == nil {
			pids = append(pids, n)
		}
	}
	return pids
}

func TestTrayOpensProfileWindow(t *testing.T) {
	s := newShell(t)
	f := newFixture(t, emulator.Config{})
	f.addProfile("e2e")
	item, cmd := f.startTray(s)
	item.waitForStatus(startTimeout, hasPrefix("Expires in "), "countdown after start")

	item.click("Manage profiles…")
	waitFor(t, 30*time.Second, "profile window", func() (bool, string) {
		n := windowCount(t, profilesWindowTitle)
		return n == 1, strconv.Itoa(n) + " windows"
	})

	item.click("Manage profiles…")
	item.waitForStatus(5*time.Second, hasPrefix("Expires in "), "countdown while the window is open")
	if n := windowCount(t, profilesWindowTitle); n != 1 {
		t.Errorf("profile windows after a second click = %d, want 1", n)
	}

	closeWindowProcess(t, f, cmd, profilesWindowTitle)

	if line := item.statusLine(); strings.Contains(line, "failed") {
		t.Errorf("status after closing the window = %q, want no failure", line)
	}
	bearer := copyVia(t, item, "Copy Bearer header", "Authorization: Bearer ")
	if code := f.protectedStatus(bearer); code != 200 {
		t.Errorf("protected endpoint after the window closed = %d, want 200", code)
	}
}
