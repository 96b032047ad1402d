//go:build benchref

// Command harness measures what the Athos tray costs a desktop next to two
// reference trays: one made with fyne.io/systray alone and one made with
// Fyne's desktop.App system tray. It acts as the desktop panel: it owns
// org.kde.StatusNotifierWatcher, reads and clicks menus over
// com.canonical.dbusmenu, reads the clipboard with xclip and closes windows
// with WM_DELETE_WINDOW. It must run inside scripts/desktop-session.sh;
// scripts/bench.sh builds everything and starts it there.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/athos-tray/athos-tray/auth"
	"github.com/athos-tray/athos-tray/auth/emulator"
)

const (
	// startTimeout bounds how long a tray may take to register and, for
	// the Athos tray, to show a valid token. It is generous because other
	// builds may share the machine.
	startTimeout = 30 * time.Second
	// bearerPrefix starts the header that Copy Bearer header copies.
	bearerPrefix = "Authorization: Bearer "
	// The demo credentials that the emulator accepts.
	demoClientID = "client"
	demoSecret   = "secret"
)

type config struct {
	ours, systrayRef, fyneRef string
	idle, settle              time.Duration
	runs, clicks, lifetimes   int
	lifetime                  time.Duration
	goBench, out, commit      string
	// detailsItem starts the label of the menu item that opens the token
	// details window.
	detailsItem string
}

// trayKind is one of the three trays under test.
type trayKind struct {
	key, name string
	binary    string
	args      []string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.ours, "ours", "bin/athos-tray", "the athos-tray binary")
	flag.StringVar(&cfg.systrayRef, "systray", "", "the fyne.io/systray reference tray binary")
	flag.StringVar(&cfg.fyneRef, "fyne", "", "the Fyne desktop.App reference tray binary")
	flag.DurationVar(&cfg.idle, "idle", 60*time.Second, "idle window over which CPU time and wake-ups are measured")
	flag.DurationVar(&cfg.settle, "settle", 10*time.Second,
		"time from start to the start-up RSS sample and the idle window; the Athos tray finishes its start-up work 5s after start")
	flag.IntVar(&cfg.runs, "runs", 3, "runs per tray; the table shows medians")
	flag.IntVar(&cfg.clicks, "clicks", 5, "Copy Bearer header clicks per run of the Athos tray")
	flag.IntVar(&cfg.lifetimes, "lifetimes", 6, "token lifetimes in the simulated day")
	flag.DurationVar(&cfg.lifetime, "lifetime", 5*time.Minute+20*time.Second,
		"compressed token lifetime of the simulated day; a refresh is due this minus 5m after each token")
	flag.StringVar(&cfg.goBench, "gobench", "", "file with the output of go test -bench, copied into the report")
	flag.StringVar(&cfg.out, "out", "", "Markdown file whose benchmark section is replaced with the report; empty prints only")
	flag.StringVar(&cfg.commit, "commit", "unknown", "commit of the measured source, for the report")
	flag.StringVar(&cfg.detailsItem, "details-item", "Token details", "start of the label of the menu item that opens the token details window")
	flag.Parse()

	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(cfg config) error {
	switch {
	case cfg.systrayRef == "" || cfg.fyneRef == "":
		return errors.New("-systray and -fyne must name the reference tray binaries")
	case cfg.runs < 1 || cfg.clicks < 1 || cfg.lifetimes < 1:
		return errors.New("-runs, -clicks and -lifetimes must be at least 1")
	case cfg.lifetime <= auth.DefaultRefreshMargin:
		return fmt.Errorf("-lifetime %v must be longer than the %v refresh margin", cfg.lifetime, auth.DefaultRefreshMargin)
	}
	for _, tool := range []string{"xclip"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found on PATH; run scripts/install-deps.sh test", tool)
		}
	}

	w, err := newWatcher()
	if err != nil {
		return err
	}
	defer w.conn.Close()
	x, err := openDisplay()
	if err != nil {
		return err
	}
	defer x.close()

	workDir, err := os.MkdirTemp("", "athos-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(workDir)

	b := &bench{cfg: cfg, watcher: w, display: x, workDir: workDir, results: map[string][]runResult{}}
	report := &report{cfg: cfg, started: time.Now(), loadStart: loadAverage()}
	kinds := []trayKind{
		{key: keyOurs, name: "Athos tray", binary: cfg.ours, args: []string{"tray", "--sandbox"}},
		{key: keySystray, name: "fyne.io/systray reference", binary: cfg.systrayRef},
		{key: keyFyne, name: "Fyne desktop.App reference", binary: cfg.fyneRef},
	}
	// The trays take turns, so that a burst of load from other programs
	// spreads over all three instead of landing on one.
	for i := 1; i <= cfg.runs; i++ {
		for _, kind := range kinds {
			fmt.Fprintf(os.Stderr, "bench: run %d of %d: %s (load average %s)\n", i, cfg.runs, kind.name, loadAverage())
			result, err := b.measure(kind)
			if err != nil {
				return fmt.Errorf("%s, run %d: %w", kind.name, i, err)
			}
			fmt.Fprintf(os.Stderr, "bench:   %s\n", result.summary())
			b.results[kind.key] = append(b.results[kind.key], result)
		}
	}

	fmt.Fprintf(os.Stderr, "bench: simulated day: %d token lifetimes of %v (load average %s)\n",
		cfg.lifetimes, cfg.lifetime, loadAverage())
	day, err := b.simulateDay()
	if err != nil {
		return fmt.Errorf("simulated day: %w", err)
	}
	fmt.Fprintf(os.Stderr, "bench:   %d token requests, expected %d\n", day.requests, day.expected)

	report.results, report.day, report.loadEnd = b.results, day, loadAverage()
	if cfg.goBench != "" {
		data, err := os.ReadFile(cfg.goBench)
		if err != nil {
			return fmt.Errorf("read the Go benchmark output: %w", err)
		}
		report.goBench = string(data)
	}
	text := report.markdown()
	fmt.Println(text)
	if cfg.out != "" {
		if err := replaceSection(cfg.out, text); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: wrote the table to %s\n", cfg.out)
	}
	return nil
}

const (
	keyOurs    = "ours"
	keySystray = "systray"
	keyFyne    = "fyne"
)

type bench struct {
	cfg     config
	watcher *watcher
	display *display
	workDir string
	results map[string][]runResult
}

// runResult holds the measurements of one run of one tray.
type runResult struct {
	register           time.Duration
	rssStart, rssEnd   int64 // KiB
	cpuPercent         float64
	runPercent         float64
	switchesPerSecond  float64
	memory             memoryBreakdown
	copies             []copyTiming
	detailsOpen        time.Duration
	detailsClose       time.Duration
	detailsNote        string
	loadBefore, loadAt string
}

func (r runResult) summary() string {
	s := fmt.Sprintf("registered %v, RSS %d -> %d KiB, CPU %.3f%% (schedstat %.3f%%), %.1f switches/s",
		r.register.Round(100*time.Microsecond), r.rssStart, r.rssEnd, r.cpuPercent, r.runPercent, r.switchesPerSecond)
	for _, c := range r.copies {
		s += fmt.Sprintf(", copy %v/%v", c.owner.Round(100*time.Microsecond), c.read.Round(100*time.Microsecond))
	}
	if r.detailsNote != "" {
		s += ", details window " + r.detailsNote
	}
	return s
}

// trayProcess is one started tray.
type trayProcess struct {
	cmd     *exec.Cmd
	started time.Time
	log     string
}

func (b *bench) start(binary string, args []string, configDir string) (*trayProcess, error) {
	logFile, err := os.CreateTemp(b.workDir, "tray-*.log")
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "ATHOS_TRAY_CONFIG_DIR="+configDir, "LANG=en_US.UTF-8")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	b.watcher.drain()
	p := &trayProcess{cmd: cmd, log: logFile.Name()}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	return p, nil
}

// stop ends the tray with SIGTERM, as a session logout does.
func (p *trayProcess) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		_ = p.cmd.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// logTail returns the end of the tray's output for an error message. The
// trays under test never print tokens or secrets.
func (p *trayProcess) logTail() string {
	data, _ := os.ReadFile(p.log)
	text := strings.TrimSpace(string(data))
	if len(text) > 2000 {
		text = "…" + text[len(text)-2000:]
	}
	return text
}

func (b *bench) measure(kind trayKind) (result runResult, err error) {
	configDir, err := os.MkdirTemp(b.workDir, "config-")
	if err != nil {
		return result, err
	}
	result.loadBefore = loadAverage()
	p, err := b.start(kind.binary, kind.args, configDir)
	if err != nil {
		return result, err
	}
	defer p.stop()
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w\ntray output:\n%s", err, p.logTail())
		}
	}()
	pid := p.cmd.Process.Pid

	reg, err := b.watcher.waitForItem(pid, startTimeout)
	if err != nil {
		return result, err
	}
	result.register = reg.at.Sub(p.started)
	menu, err := b.watcher.menuOf(reg)
	if err != nil {
		return result, err
	}
	if kind.key == keyOurs {
		if err := menu.waitForLabel("Expires in ", startTimeout); err != nil {
			return result, fmt.Errorf("no valid token: %w", err)
		}
	}

	time.Sleep(time.Until(p.started.Add(b.cfg.settle)))
	before, err := sampleProcess(pid)
	if err != nil {
		return result, err
	}
	time.Sleep(b.cfg.idle)
	after, err := sampleProcess(pid)
	if err != nil {
		return result, err
	}
	result.loadAt = loadAverage()
	result.rssStart, result.rssEnd = before.rssKiB, after.rssKiB
	wall := after.at.Sub(before.at)
	result.cpuPercent = 100 * float64(after.cpuTicks-before.cpuTicks) / float64(clockTicksPerSecond) / wall.Seconds()
	result.runPercent = 100 * float64(after.runNanos-before.runNanos) / float64(wall.Nanoseconds())
	result.switchesPerSecond = float64(after.switches-before.switches) / wall.Seconds()
	if result.memory, err = readMemoryBreakdown(pid, filepath.Base(kind.binary)); err != nil {
		return result, err
	}

	if kind.key != keyOurs {
		return result, nil
	}
	if result.copies, err = b.measureCopies(menu); err != nil {
		return result, err
	}
	result.detailsOpen, result.detailsClose, result.detailsNote, err = b.measureDetails(menu, pid)
	return result, err
}

// clockTicksPerSecond is USER_HZ, the unit of utime and stime in
// /proc/PID/stat, which is 100 on every Linux architecture Go supports.
const clockTicksPerSecond = 100

// copyTiming is the time from one Copy Bearer header click until a new
// window owned the CLIPBOARD selection, and until xclip -o read the header.
type copyTiming struct {
	owner, read time.Duration
}

// measureCopies clicks Copy Bearer header b.cfg.clicks times. Until the
// selection changes owner, it polls XGetSelectionOwner, which takes well
// under a millisecond. Then it reads the selection with xclip -o, which
// starts a process each time and so resolves only to a few milliseconds.
func (b *bench) measureCopies(menu *trayMenu) ([]copyTiming, error) {
	var copies []copyTiming
	for i := range b.cfg.clicks {
		marker := fmt.Sprintf("athos-bench-marker-%d", i)
		if err := writeClipboard(marker); err != nil {
			return nil, err
		}
		markerOwner := b.display.clipboardOwner()
		entry, err := menu.entry("Copy Bearer header")
		if err != nil {
			return nil, err
		}

		clicked := time.Now()
		if err := menu.click(entry); err != nil {
			return nil, err
		}
		var timing copyTiming
		for b.display.clipboardOwner() == markerOwner {
			if time.Since(clicked) > 10*time.Second {
				return nil, errors.New("the CLIPBOARD selection has the same owner 10s after the click")
			}
			time.Sleep(200 * time.Microsecond)
		}
		timing.owner = time.Since(clicked)
		for {
			text, _ := readClipboard()
			if strings.HasPrefix(text, bearerPrefix) {
				timing.read = time.Since(clicked)
				break
			}
			if time.Since(clicked) > 10*time.Second {
				return nil, fmt.Errorf("the clipboard contains no Bearer header 10s after the click (it contains %d bytes)", len(text))
			}
		}
		copies = append(copies, timing)
		// Let the tray finish its read-back before the next marker.
		time.Sleep(time.Second)
	}
	return copies, nil
}

// writeClipboard puts text on the CLIPBOARD selection and waits until it
// can be read back.
func writeClipboard(text string) error {
	cmd := exec.Command("xclip", "-selection", "clipboard", "-i")
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("xclip -i: %w", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if got, _ := readClipboard(); got == text {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return errors.New("the clipboard did not contain the marker text within 5s of xclip -i")
}

func readClipboard() (string, error) {
	out, err := exec.Command("xclip", "-selection", "clipboard", "-o").Output()
	return string(out), err
}

// measureDetails opens the token details window from the menu, waits for
// it to be viewable, closes it with WM_DELETE_WINDOW and waits for its
// process to exit. It returns a note instead when the menu has no such item.
func (b *bench) measureDetails(menu *trayMenu, trayPID int) (open, closed time.Duration, note string, err error) {
	entry, err := menu.entry(b.cfg.detailsItem)
	if errors.Is(err, errNoSuchItem) {
		return 0, 0, "n/a (no such item)", nil
	}
	if err != nil {
		return 0, 0, "", err
	}
	clicked := time.Now()
	if err := menu.click(entry); err != nil {
		return 0, 0, "", err
	}

	child, window := 0, uint64(0)
	for window == 0 {
		if time.Since(clicked) > startTimeout {
			return 0, 0, "", fmt.Errorf("no window of a child of the tray is viewable %v after clicking %q", startTimeout, entry.label)
		}
		time.Sleep(2 * time.Millisecond)
		for _, pid := range childProcesses(trayPID) {
			if windows := b.display.windowsOf(pid); len(windows) > 0 {
				child, window = pid, windows[0]
				break
			}
		}
	}
	open = time.Since(clicked)

	// A person reads the window before closing it. The pause also keeps
	// the close from racing the window's first frames.
	time.Sleep(time.Second)
	closing := time.Now()
	b.display.closeWindow(window)
	for !processGone(child) || len(b.display.windowsOf(child)) > 0 {
		if time.Since(closing) > 10*time.Second {
			return 0, 0, "", fmt.Errorf("the window process %d is still running 10s after WM_DELETE_WINDOW", child)
		}
		time.Sleep(2 * time.Millisecond)
	}
	return open, time.Since(closing), "", nil
}

// dayResult is the outcome of the simulated day.
type dayResult struct {
	requests, expected int
	issued             int
	register           time.Duration
	detailsOpen        time.Duration
	detailsClose       time.Duration
	detailsNote        string
}

// simulateDay runs the Athos tray with a stored profile against an
// emulator with a compressed token lifetime, for cfg.lifetimes lifetimes,
// and counts the token requests that reach the emulator.
func (b *bench) simulateDay() (dayResult, error) {
	var day dayResult
	emu := emulator.New(emulator.Config{ClientID: demoClientID, ClientSecret: demoSecret, Lifetime: b.cfg.lifetime})
	baseURL, err := emu.Start("127.0.0.1:0")
	if err != nil {
		return day, fmt.Errorf("start the emulator: %w", err)
	}
	defer emu.Close()

	configDir, err := os.MkdirTemp(b.workDir, "config-")
	if err != nil {
		return day, err
	}
	add := exec.Command(b.cfg.ours, "profile", "add", "bench", "--client-id", demoClientID, "--api-url", baseURL, "--no-verify")
	add.Env = append(os.Environ(), "ATHOS_TRAY_CONFIG_DIR="+configDir, "LANG=en_US.UTF-8")
	add.Stdin = strings.NewReader(demoSecret + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		return day, fmt.Errorf("athos-tray profile add: %w: %s", err, out)
	}

	p, err := b.start(b.cfg.ours, []string{"tray"}, configDir)
	if err != nil {
		return day, err
	}
	defer p.stop()
	reg, err := b.watcher.waitForItem(p.cmd.Process.Pid, startTimeout)
	if err != nil {
		return day, err
	}
	day.register = reg.at.Sub(p.started)

	first, err := waitForRequest(emu, startTimeout)
	if err != nil {
		return day, fmt.Errorf("%w\ntray output:\n%s", err, p.logTail())
	}
	// Token k (counting from 0) is fetched at about first + k*interval. The
	// count is read half an interval after the last expected fetch, so a
	// late fetch still counts and an extra one would show.
	interval := b.cfg.lifetime - auth.DefaultRefreshMargin
	end := first.Add(time.Duration(b.cfg.lifetimes-1)*interval + interval/2)

	time.Sleep(time.Until(end))
	stats := emu.Stats()
	day.requests, day.issued, day.expected = stats.TokenRequests, stats.TokensIssued, b.cfg.lifetimes

	// The window is measured after the count, so that anything it fetches
	// does not add to the tray's requests.
	menu, err := b.watcher.menuOf(reg)
	if err != nil {
		return day, err
	}
	day.detailsOpen, day.detailsClose, day.detailsNote, err = b.measureDetails(menu, p.cmd.Process.Pid)
	return day, err
}

// waitForRequest returns when the emulator has seen its first token request.
func waitForRequest(emu *emulator.Emulator, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for emu.Stats().TokenRequests == 0 {
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("the tray sent no token request within %v", timeout)
		case <-time.After(5 * time.Millisecond):
		}
	}
	return time.Now(), nil
}

// median returns the middle value, or the mean of the two middle values.
func median[T ~int64 | ~float64](values []T) T {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
