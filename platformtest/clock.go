package platformtest

import (
	"context"
	"sync"
	"time"
)

// Clock is a test's time, safe to read from server goroutines: code under
// test reads Now (a store's, a scheduler's, a reporter's injected clock)
// and the test moves it with Add or Set, so nothing waits for real time.
// Code that waits through a sleep hook (the dispatcher's backoff,
// Retry-After and limiter, a sender's spacing) gets Sleep, which advances
// it instead of sleeping; a fake that reads it (NewRecorder(c.Now)) sees a
// 429's window pass once the caller has waited it out.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now is the current test time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep advances the clock by d at once; it fails only when ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

// Add moves the clock on by d and returns the new time.
func (c *Clock) Add(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set moves the clock to t (back, too: a test of a clock that jumps).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}
