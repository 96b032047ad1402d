package auth

import (
	"time"

	"golang.org/x/sys/unix"
)

// Elapsed reads CLOCK_BOOTTIME, which counts time spent suspended and which
// setting the wall clock does not move. It falls back to Go's monotonic
// clock on a kernel without it (before Linux 2.6.39).
func (systemClock) Elapsed() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return monotonicElapsed()
	}
	return time.Duration(ts.Nano()), true
}
