package messenger

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// Class names the rate class of every Send API call, per page:
// dispatch.Limits sets its rate by this name.
const Class = "messenger"

// PerSecond is the class's default rate of Send API calls per page.
const PerSecond = 250

// Rates implements dispatch.RateLimited: a batch of n calls spends n
// calls' share of the page's rate (BatchClass at PerSecond/BatchSize).
func (s *Sender) Rates() dispatch.Rates {
	r := dispatch.Rates{Single: dispatch.RateClass{Name: Class, PerSecond: PerSecond}}
	if s.cfg.BatchSize > 1 {
		r.Multicast = dispatch.RateClass{Name: BatchClass, PerSecond: BatchRate(PerSecond, s.cfg.BatchSize)}
	}
	return r
}

// BatchRate is BatchClass's rate for a page allowed perSecond messages a
// second in batches of size: what Limits.PerSecond sets it to when the
// per-message rate is configured.
func BatchRate(perSecond float64, size int) float64 {
	if size < 1 {
		size = MaxBatch
	}
	return perSecond / float64(size)
}

// Admit implements dispatch.Gate with Messenger's standard messaging
// window: someone who wrote to the page within herald.MessagingWindow may
// get anything (as a reply, for a test); outside it only a tagged
// non-marketing message may go, and a marketing one is refused with
// herald.ErrOutsideWindow before any request.
func (s *Sender) Admit(sub *herald.Subscriber, cat herald.Category, now time.Time) (bool, error) {
	switch {
	case sub.InWindow(now):
		return true, nil
	case cat == herald.NonMarketing:
		return false, nil
	}
	return false, fmt.Errorf("messenger: %w: %s, so Messenger allows no marketing message; message the page",
		herald.ErrOutsideWindow, lastWrote(sub.LastInteraction, now))
}

// lastWrote says when someone last wrote to the page.
func lastWrote(last, now time.Time) string {
	if last.IsZero() {
		return "this account has never written to the page"
	}
	return fmt.Sprintf("this account last wrote to the page %s ago, outside the 24-hour window", now.Sub(last).Round(time.Minute))
}
