//go:build !linux

package auth

import "time"

// Elapsed reads Go's monotonic clock.
//
// TODO: use a clock that counts suspended time where one exists
// (mach_continuous_time on macOS, QueryInterruptTime on Windows). Until
// then a wall clock set forward looks like a suspend, and the token is
// refreshed early instead of keeping its time left.
func (systemClock) Elapsed() (time.Duration, bool) {
	return monotonicElapsed()
}
