package ui

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/atotto/clipboard"
)

// copyTimeout bounds one clipboard write, which runs an external tool such
// as xclip on Linux.
const copyTimeout = 5 * time.Second

// ErrNoClipboardTool means the system has no tool that atotto/clipboard can
// use to reach the clipboard.
var ErrNoClipboardTool = errors.New("no clipboard tool found")

// Clipboard writes and reads the system clipboard.
type Clipboard interface {
	WriteAll(text string) error
	ReadAll() (string, error)
}

// SystemClipboard returns the clipboard of the desktop session.
func SystemClipboard() Clipboard {
	return systemClipboard{}
}

type systemClipboard struct{}

func (systemClipboard) WriteAll(text string) error {
	if clipboard.Unsupported {
		return ErrNoClipboardTool
	}
	return clipboard.WriteAll(text)
}

func (systemClipboard) ReadAll() (string, error) {
	if clipboard.Unsupported {
		return "", ErrNoClipboardTool
	}
	return clipboard.ReadAll()
}

// copyText writes text to cb within timeout and reads it back, so that a
// copy is reported as done only when the clipboard really holds the text.
// The returned error never contains text.
func copyText(cb Clipboard, text string, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		if err := cb.WriteAll(text); err != nil {
			done <- err
			return
		}
		got, err := cb.ReadAll()
		switch {
		case err != nil:
			done <- fmt.Errorf("read back: %w", err)
		case got != text:
			done <- errors.New("the clipboard contains different text after the copy")
		default:
			done <- nil
		}
	}()

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err != nil {
			return explainClipboardError(err)
		}
		return nil
	case <-timer.C:
		return fmt.Errorf("copy to clipboard: timed out after %v; check that the desktop session's clipboard works", timeout)
	}
}

func explainClipboardError(err error) error {
	if errors.Is(err, ErrNoClipboardTool) {
		return fmt.Errorf("copy to clipboard: %w; %s", err, clipboardToolHint())
	}
	return fmt.Errorf("copy to clipboard: %w", err)
}

// clipboardToolHint names what to install for the clipboard on this OS.
func clipboardToolHint() string {
	if runtime.GOOS == "linux" {
		return "install xclip or xsel (X11) or wl-clipboard (Wayland), for example 'sudo apt install xclip'"
	}
	return "check that the desktop session's clipboard works"
}

// clipboardClearer empties the clipboard a set time after a copy, and on
// quit, but only while the clipboard still contains the copied text, so
// that anything the user copied since is left alone.
type clipboardClearer struct {
	clipboard Clipboard
	// afterFunc runs f after d, like time.AfterFunc. Tests replace it.
	afterFunc func(d time.Duration, f func()) (stop func() bool)

	mu sync.Mutex // guards the fields below
	// delay is how long after a copy the clipboard is cleared, zero for
	// never.
	delay time.Duration
	// copied is the SHA-256 of the text the tray copied last, kept instead
	// of the text so that no token stays in memory for the comparison.
	copied  [sha256.Size]byte
	pending bool
	stop    func() bool
}

func newClipboardClearer(cb Clipboard) *clipboardClearer {
	return &clipboardClearer{
		clipboard: cb,
		afterFunc: func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop },
	}
}

// SetDelay sets the delay for later copies; zero turns clearing off.
func (c *clipboardClearer) SetDelay(delay time.Duration) {
	c.mu.Lock()
	c.delay = delay
	c.mu.Unlock()
}

// Copied records a copy of text and schedules clearing after the delay.
// With clearing off it cancels any pending clear, as a new copy replaces
// the text that clear was for.
func (c *clipboardClearer) Copied(text string) {
	c.mu.Lock()
	defer c.mu.Unlock()

	delay := c.delay
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	c.copied = sha256.Sum256([]byte(text))
	c.pending = delay > 0
	if !c.pending {
		return
	}
	copied := c.copied
	c.stop = c.afterFunc(delay, func() { c.clear(copied) })
}

// Flush clears at once a clear that is still pending, as on quit. It
// reports whether the clipboard was cleared.
func (c *clipboardClearer) Flush() (bool, error) {
	c.mu.Lock()
	if c.stop != nil {
		c.stop()
		c.stop = nil
	}
	copied, pending := c.copied, c.pending
	c.mu.Unlock()

	if !pending {
		return false, nil
	}
	return c.clear(copied)
}

// clear empties the clipboard when it still contains the text whose hash
// is copied and no later copy replaced it.
func (c *clipboardClearer) clear(copied [sha256.Size]byte) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.pending || c.copied != copied {
		return false, nil
	}
	c.pending = false

	current, err := c.clipboard.ReadAll()
	if err != nil {
		return false, fmt.Errorf("clear clipboard: %w", err)
	}
	if sha256.Sum256([]byte(current)) != copied {
		return false, nil
	}
	if err := c.clipboard.WriteAll(""); err != nil {
		return false, fmt.Errorf("clear clipboard: %w", err)
	}
	return true, nil
}
