package testkit

import (
	"sync"
	"time"
)

// Clock is a settable time source for [authgate.Config.Now] and the like.
// It is safe for concurrent use; it moves only when a test moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock set to the current hour in UTC.
//
// It starts near the real time, since some stores judge a session live by
// the wall clock, and on a whole hour, so that times rounded to a touch
// interval or to a second stay exact.
func NewClock() *Clock {
	return NewClockAt(time.Now().UTC().Truncate(time.Hour))
}

// NewClockAt returns a clock set to t.
func NewClockAt(t time.Time) *Clock {
	return &Clock{now: t}
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock forward by d (backward if d is negative).
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Ticking returns a time source that moves c forward by d at every
// reading and returns the new time, so that every event a test causes has
// a time of its own, in order.
func (c *Clock) Ticking(d time.Duration) func() time.Time {
	return func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.now = c.now.Add(d)
		return c.now
	}
}
