package auth

import "time"

// Clock is the source of time for the token manager, injected so that tests
// can move time and simulate a suspended laptop.
type Clock interface {
	// Now returns the wall-clock time without a monotonic reading, so that
	// comparisons with it keep counting while the machine sleeps.
	Now() time.Time
	// After returns a channel that receives once d of running time has
	// passed. Like a Go timer, it may not count time spent suspended.
	After(d time.Duration) <-chan time.Time
}

// ElapsedClock is a Clock that can also read a clock which setting the wall
// clock does not move. The Manager uses it to tell a change of the wall
// clock from time that passed, and keeps the expiry of its token and the
// time of its next request in step with the change. SystemClock implements
// it.
type ElapsedClock interface {
	Clock
	// Elapsed returns the time since an arbitrary fixed origin, and whether
	// that time includes time spent suspended. When it does not, the
	// Manager cannot tell a suspend from the wall clock being set forward
	// and takes both for time that passed.
	Elapsed() (elapsed time.Duration, countsSuspend bool)
}

// SystemClock returns the Clock backed by the operating system. It
// implements ElapsedClock: on Linux with CLOCK_BOOTTIME, which counts time
// spent suspended, and elsewhere with Go's monotonic clock, which may not.
func SystemClock() Clock {
	return systemClock{}
}

type systemClock struct{}

func (systemClock) Now() time.Time {
	return time.Now().Round(0)
}

func (systemClock) After(d time.Duration) <-chan time.Time {
	return time.After(d)
}

// processStart is the origin of the monotonic fallback of Elapsed.
var processStart = time.Now()

// monotonicElapsed returns the running time since the process started. Go's
// monotonic clock is not moved by setting the wall clock, but on Linux and
// macOS it stops while the machine is suspended.
func monotonicElapsed() (time.Duration, bool) {
	return time.Since(processStart), false
}
