package cli

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/athos-tray/athos-tray/internal/instance"
)

func TestSecondTrayStartAsksRunningTray(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	h := newHarness(t)
	running, err := instance.Acquire(filepath.Dir(h.store.Path), nil)
	if err != nil {
		t.Fatalf("claim the folder as the running tray: %v", err)
	}
	defer running.Close()

	r := h.run("", "tray")
	if r.code != ExitRunning {
		t.Errorf("exit code = %d, want %d", r.code, ExitRunning)
	}
	if !strings.Contains(r.stderr, "already running") || !strings.Contains(r.stderr, "asked to show itself") {
		t.Errorf("stderr = %q, want it to say that a tray runs and was asked to show itself", r.stderr)
	}
	select {
	case got := <-running.Requests():
		if got != instance.RequestShow {
			t.Errorf("request = %q, want %q", got, instance.RequestShow)
		}
	default:
		t.Errorf("running tray got no request")
	}
}

func TestTeeWriterSurvivesClosedStderr(t *testing.T) {
	var file bytes.Buffer
	w := teeWriter{failingWriter{}, &file}
	n, err := w.Write([]byte("line\n"))
	if err != nil || n != 5 {
		t.Errorf("Write = %d, %v; want 5, nil while one writer works", n, err)
	}
	if file.String() != "line\n" {
		t.Errorf("file got %q, want the line", file.String())
	}
	if _, err := (teeWriter{failingWriter{}}).Write([]byte("x")); err == nil {
		t.Errorf("Write with every writer failing succeeded, want an error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }
