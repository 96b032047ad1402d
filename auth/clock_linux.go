package auth

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Elapsed reads CLOCK_BOOTTIME, which counts time spent suspended and which
// setting the wall clock does not move. It falls back to Go's monotonic
// clock on a kernel without it (before Linux 2.6.39).
//
// The tray reads this clock several times a second. unix.ClockGettime
// goes through the runtime's entersyscall, which in Go 1.26 wakes the
// monitor thread (sysmon) whenever it sleeps. clock_gettime never blocks,
// so a raw call is safe and skips that wake-up.
func (systemClock) Elapsed() (time.Duration, bool) {
	var ts unix.Timespec
	_, _, errno := unix.RawSyscall(unix.SYS_CLOCK_GETTIME, unix.CLOCK_BOOTTIME, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return monotonicElapsed()
	}
	return time.Duration(ts.Nano()), true
}
