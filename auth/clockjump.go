package auth

import "time"

// nowLocked returns the wall-clock time. When the clock is an ElapsedClock
// and the wall clock was set since the last reading, it first moves every
// wall-clock time the manager keeps by the same amount. The token then
// keeps its true time left, and the next request its true delay:
//   - A wall clock set back would otherwise postpone the refresh past the
//     token's real expiry.
//   - A wall clock set forward would otherwise expire a valid token early.
//
// Where the elapsed clock does not count suspended time, a wall clock set
// forward looks the same as a suspend, so it counts as time passed and a
// refresh that fell due starts at once.
func (m *Manager) nowLocked() time.Time {
	now := m.clock.Now()
	if m.elapsed == nil {
		return now
	}
	elapsed, countsSuspend := m.elapsed()
	reading := clockReading{wall: now, elapsed: elapsed}
	if m.reference.wall.IsZero() {
		m.reference = reading
		return now
	}

	// Small differences, such as NTP adjustments, accumulate against the
	// same reference until they add up to a jump.
	jump := now.Sub(m.reference.wall) - (elapsed - m.reference.elapsed)
	if jump > -clockJumpTolerance && jump < clockJumpTolerance {
		return now
	}
	m.reference = reading
	if jump > 0 && !countsSuspend {
		return now
	}
	m.shiftLocked(jump)
	return now
}

// shiftLocked moves every wall-clock time the manager keeps by jump, the
// amount by which the wall clock was set forward (negative when back).
func (m *Manager) shiftLocked(jump time.Duration) {
	if !m.token.ReceivedAt.IsZero() {
		m.token.ReceivedAt = m.token.ReceivedAt.Add(jump)
	}
	if !m.next.IsZero() {
		m.next = m.next.Add(jump)
	}
	if !m.lastEnd.IsZero() {
		m.lastEnd = m.lastEnd.Add(jump)
	}
	m.log.Warn("wall clock was set; keeping the token's expiry and the schedule in step", "profile", m.profile,
		"jump", jump.Round(time.Second))
	m.notify()
}
