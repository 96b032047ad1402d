// Package logfile writes the tray's log to a file with a size cap. When the
// file would grow past the cap it is renamed to NAME.1, replacing an older
// NAME.1, and a new file is started, so the log never takes more than about
// twice the cap on disk.
package logfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// DefaultMaxBytes is the size at which the log file is rotated: 1 MiB.
const DefaultMaxBytes = 1 << 20

// AppDir is the folder under the user cache directory that holds the log.
const AppDir = "athos-token-tray"

// FileName is the name of the log file.
const FileName = "tray.log"

// DefaultPath returns os.UserCacheDir()/athos-token-tray/tray.log, which on
// Linux is $XDG_CACHE_HOME/athos-token-tray/tray.log or
// ~/.cache/athos-token-tray/tray.log.
func DefaultPath() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find the user cache directory for the log file: %w", err)
	}
	return filepath.Join(dir, AppDir, FileName), nil
}

// Writer appends to a log file and rotates it at MaxBytes. It is safe for
// concurrent use.
type Writer struct {
	path     string
	maxBytes int64

	mu   sync.Mutex // guards file and size
	file *os.File
	size int64
}

// Open opens path for appending, creating it and its folder with
// owner-only permissions. maxBytes of zero or less means DefaultMaxBytes.
func Open(path string, maxBytes int64) (*Writer, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the log folder: %w", err)
	}
	w := &Writer{path: path, maxBytes: maxBytes}
	if err := w.open(); err != nil {
		return nil, err
	}
	return w, nil
}

// Path returns the path of the current log file.
func (w *Writer) Path() string {
	return w.path
}

func (w *Writer) open() error {
	file, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open the log file: %w", err)
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return fmt.Errorf("open the log file: %w", err)
	}
	w.file, w.size = file, info.Size()
	return nil
}

// Write appends p, rotating the file first when p would take it past the
// cap. A single write larger than the cap is still written whole, so that
// no log line is cut.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()

	if w.file == nil {
		return 0, fs.ErrClosed
	}
	if w.size > 0 && w.size+int64(len(p)) > w.maxBytes {
		if err := w.rotate(); err != nil {
			return 0, err
		}
	}
	n, err := w.file.Write(p)
	w.size += int64(n)
	return n, err
}

// rotate renames the file to NAME.1 and opens a new one. It must be called
// with w.mu held.
func (w *Writer) rotate() error {
	closeErr := w.file.Close()
	w.file = nil
	renameErr := os.Rename(w.path, w.path+".1")
	if err := w.open(); err != nil {
		return errors.Join(err, closeErr, renameErr)
	}
	if renameErr != nil {
		// Without the rename, the old lines would stay in the new file and
		// the cap would not hold, so start over.
		if err := w.file.Truncate(0); err != nil {
			return errors.Join(fmt.Errorf("rotate the log file: %w", err), renameErr)
		}
		w.size = 0
	}
	return closeErr
}

// Close closes the file. Later writes fail with fs.ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.file == nil {
		return nil
	}
	err := w.file.Close()
	w.file = nil
	return err
}
