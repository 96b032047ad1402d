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

// SystemClock returns the Clock backed by the operating system.
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
