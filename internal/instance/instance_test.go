package instance

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecondAcquireAsksFirst(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "config")
	first, err := Acquire(dir, nil)
	if err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	defer first.Close()

	second, err := Acquire(dir, nil)
	if err == nil {
		second.Close()
		t.Fatalf("second Acquire succeeded while the first holds %s", dir)
	}
	var running *RunningError
	if !errors.As(err, &running) || !errors.Is(err, ErrRunning) {
		t.Fatalf("second Acquire error = %v, want a *RunningError matching ErrRunning", err)
	}
	if running.PID == 0 {
		t.Errorf("RunningError.PID = 0, want the first holder's process id")
	}

	reply, err := Ask(dir, RequestShow)
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	if reply != "ok" {
		t.Errorf("reply = %q, want ok", reply)
	}
	if got := <-first.Requests(); got != RequestShow {
		t.Errorf("request = %q, want %q", got, RequestShow)
	}
}

func TestAcquireAfterClose(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	again, err := Acquire(dir, nil)
	if err != nil {
		t.Fatalf("Acquire after Close: %v", err)
	}
	again.Close()
}

func TestSeparateFoldersRunIndependently(t *testing.T) {
	a, err := Acquire(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Acquire(t.TempDir(), nil)
	if err != nil {
		t.Fatalf("Acquire of a second folder: %v", err)
	}
	defer b.Close()
}

func TestBusyWhenRequestsPileUp(t *testing.T) {
	dir := t.TempDir()
	inst, err := Acquire(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()

	var replies []string
	for range cap(inst.requests) + 1 {
		reply, err := Ask(dir, RequestShow)
		if err != nil {
			t.Fatal(err)
		}
		replies = append(replies, reply)
	}
	if last := replies[len(replies)-1]; last != "busy" {
		t.Errorf("replies = %q, want the last one busy while nobody reads requests", replies)
	}
}

func TestUnknownRequest(t *testing.T) {
	dir := t.TempDir()
	inst, err := Acquire(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	reply, err := Ask(dir, "quit")
	if err != nil {
		t.Fatal(err)
	}
	if reply != "unknown" {
		t.Errorf("reply to an unknown request = %q, want unknown", reply)
	}
	select {
	case got := <-inst.Requests():
		t.Errorf("unknown request reached the tray as %q", got)
	default:
	}
}

func TestSocketPathLongFolder(t *testing.T) {
	runtimeDir := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", runtimeDir)
	long := filepath.Join(t.TempDir(), strings.Repeat("d", 120))

	path := SocketPath(long)
	if len(path) > maxSocketPath {
		t.Errorf("socket path has %d bytes, want at most %d", len(path), maxSocketPath)
	}
	if filepath.Dir(path) != runtimeDir {
		t.Errorf("socket path %q is not in XDG_RUNTIME_DIR %q", path, runtimeDir)
	}
	if other := SocketPath(long + "x"); other == path {
		t.Errorf("two folders share the socket %q", path)
	}

	inst, err := Acquire(long, nil)
	if err != nil {
		t.Fatalf("Acquire with a long folder name: %v", err)
	}
	defer inst.Close()
	if reply, err := Ask(long, RequestShow); err != nil || reply != "ok" {
		t.Errorf("Ask with a long folder name = %q, %v; want ok", reply, err)
	}
}

func TestSocketPathShortFolder(t *testing.T) {
	dir := t.TempDir()
	if got, want := SocketPath(dir), filepath.Join(dir, "tray.sock"); len(want) <= maxSocketPath && got != want {
		t.Errorf("SocketPath(%q) = %q, want %q", dir, got, want)
	}
}
