package logfile

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriterRotatesAtCap(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "tray.log")
	w, err := Open(path, 100)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	line := bytes.Repeat([]byte("a"), 39)
	line = append(line, '\n')
	for i := 0; i < 2; i++ {
		if _, err := w.Write(line); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
	}
	if _, err := os.Stat(path + ".1"); !os.IsNotExist(err) {
		t.Fatalf("rotated file exists below the cap: %v", err)
	}

	third := append(bytes.Repeat([]byte("b"), 39), '\n')
	if _, err := w.Write(third); err != nil {
		t.Fatal(err)
	}
	old, err := os.ReadFile(path + ".1")
	if err != nil {
		t.Fatalf("read rotated file: %v", err)
	}
	if len(old) != 80 {
		t.Errorf("rotated file has %d bytes, want 80", len(old))
	}
	current, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(current, third) {
		t.Errorf("current file = %q, want only the third line", current)
	}
}

func TestWriterAppendsAcrossOpens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tray.log")
	for i := 0; i < 2; i++ {
		w, err := Open(path, 60)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte("0123456789012345678901234567890123456789\n")); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	// The second open counted the first line, so its write rotated.
	if data, err := os.ReadFile(path + ".1"); err != nil || len(data) != 41 {
		t.Errorf("rotated file: %d bytes, error %v; want 41 bytes", len(data), err)
	}
}

func TestWriterFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows has no owner-only permission bits")
	}
	path := filepath.Join(t.TempDir(), "tray.log")
	w, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := info.Mode().Perm(); mode&0o077 != 0 {
		t.Errorf("log file mode = %v, want no access for group and others", mode)
	}
}

func TestWriterAfterClose(t *testing.T) {
	w, err := Open(filepath.Join(t.TempDir(), "tray.log"), 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Close()
	if _, err := w.Write([]byte("x\n")); err == nil {
		t.Errorf("write after Close succeeded, want an error")
	}
}
