// Package atomicfile replaces files so that a reader, or the next start
// after a crash, reads either the old or the new content.
package atomicfile

import (
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
