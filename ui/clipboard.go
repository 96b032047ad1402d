package ui

import (
	"errors"
	"fmt"
	"runtime"
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
