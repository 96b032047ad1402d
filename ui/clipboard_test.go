package ui

import (
	"sync"
	"testing"
	"time"
)

// fakeClipboard is a Clipboard in memory.
type fakeClipboard struct {
	mu     sync.Mutex
	text   string
	writes int
}

func (f *fakeClipboard) WriteAll(text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.text = text
	f.writes++
	return nil
}

func (f *fakeClipboard) ReadAll() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.text, nil
}

// fakeTimers records the functions scheduled with afterFunc so that a test
// runs them when it chooses.
type fakeTimers struct {
	delays  []time.Duration
	funcs   []func()
	stopped []bool
}

func (f *fakeTimers) afterFunc(d time.Duration, fn func()) func() bool {
	i := len(f.funcs)
	f.delays = append(f.delays, d)
	f.funcs = append(f.funcs, fn)
	f.stopped = append(f.stopped, false)
	return func() bool { f.stopped[i] = true; return true }
}

// fire runs the timer at index i unless it was stopped.
func (f *fakeTimers) fire(i int) {
	if !f.stopped[i] {
		f.funcs[i]()
	}
}

func newTestClearer() (*clipboardClearer, *fakeClipboard, *fakeTimers) {
	cb := &fakeClipboard{}
	timers := &fakeTimers{}
	c := newClipboardClearer(cb)
	c.afterFunc = timers.afterFunc
	return c, cb, timers
}

func TestClearerClearsUnchangedClipboard(t *testing.T) {
	c, cb, timers := newTestClearer()
	cb.WriteAll("Authorization: Bearer a")
	c.SetDelay(30 * time.Second)
	c.Copied("Authorization: Bearer a")

	if len(timers.delays) != 1 || timers.delays[0] != 30*time.Second {
		t.Fatalf("scheduled delays = %v, want [30s]", timers.delays)
	}
	if cb.text == "" {
		t.Fatal("clipboard cleared before the delay passed")
	}
	timers.fire(0)
	if cb.text != "" {
		t.Errorf("clipboard holds %d bytes after the delay, want it empty", len(cb.text))
	}
}

func TestClearerLeavesOtherTextAlone(t *testing.T) {
	c, cb, timers := newTestClearer()
	cb.WriteAll("Authorization: Bearer a")
	c.SetDelay(time.Minute)
	c.Copied("Authorization: Bearer a")
	cb.WriteAll("something the user copied")
	writes := cb.writes

	timers.fire(0)
	if cb.text != "something the user copied" || cb.writes != writes {
		t.Errorf("clipboard changed after the user copied other text")
	}
	if cleared, _ := c.Flush(); cleared {
		t.Errorf("Flush cleared the user's text")
	}
}

func TestClearerLaterCopyReplacesTimer(t *testing.T) {
	c, cb, timers := newTestClearer()
	cb.WriteAll("first")
	c.SetDelay(time.Minute)
	c.Copied("first")
	cb.WriteAll("second")
	c.SetDelay(2 * time.Minute)
	c.Copied("second")

	if !timers.stopped[0] {
		t.Errorf("first timer not stopped by the second copy")
	}
	timers.funcs[0]() // a timer that fired while being stopped
	if cb.text != "second" {
		t.Errorf("the first copy's timer cleared the second copy")
	}
	timers.fire(1)
	if cb.text != "" {
		t.Errorf("clipboard not cleared after the second copy's delay")
	}
}

func TestClearerOffNeverClears(t *testing.T) {
	c, cb, timers := newTestClearer()
	cb.WriteAll("tok")
	c.SetDelay(0)
	c.Copied("tok")
	if len(timers.funcs) != 0 {
		t.Errorf("timer scheduled with clearing off")
	}
	if cleared, _ := c.Flush(); cleared || cb.text != "tok" {
		t.Errorf("Flush cleared the clipboard with clearing off")
	}
}

func TestClearerFlushClearsPending(t *testing.T) {
	c, cb, timers := newTestClearer()
	cb.WriteAll("tok")
	c.SetDelay(5 * time.Minute)
	c.Copied("tok")

	cleared, err := c.Flush()
	if err != nil || !cleared {
		t.Fatalf("Flush = %v, %v; want cleared", cleared, err)
	}
	if cb.text != "" {
		t.Errorf("clipboard not empty after Flush")
	}
	if !timers.stopped[0] {
		t.Errorf("timer still running after Flush")
	}
	if cleared, _ := c.Flush(); cleared {
		t.Errorf("second Flush cleared again")
	}
}
