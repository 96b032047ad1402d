// Package atomicfile replaces files so that a reader, or the next start
// after a crash, reads either the old or the new content.
package atomicfile

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// WriteFile writes data to a temporary file with mode in the folder of
// path, syncs it and renames it over path. The folder must exist.
func WriteFile(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed

	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteJSON encodes v as indented JSON with a final newline and writes it
// to path with WriteFile and mode 0600, creating the folder with mode 0700
// when it is missing.
func WriteJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return WriteFile(path, append(data, '\n'), 0o600)
}
