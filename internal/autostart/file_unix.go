//go:build !windows

package autostart

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/athos-tray/athos-tray/internal/atomicfile"
)

// The registration on Linux and macOS is one file: a desktop entry or a
// launch agent's property list.

func writeRegistration(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("enable start at login: %w", err)
	}
	if err := atomicfile.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("enable start at login: %w", err)
	}
	return nil
}

func removeRegistration(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("disable start at login: %w", err)
	}
	return nil
}

func registrationExists(path string) (bool, error) {
	_, err := os.Stat(path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, fmt.Errorf("check start at login: %w", err)
}
