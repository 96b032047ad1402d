//go:build unix

package instance

import (
	"errors"
	"os"
	"syscall"
)

// tryLock takes an exclusive lock on file without waiting. It returns
// false when another process holds it. The kernel drops the lock when the
// process ends, so a crashed tray leaves no stale lock.
func tryLock(file *os.File) (bool, error) {
	err := syscall.Flock(int(file.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
