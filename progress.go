package herald

import (
	"fmt"
	"sort"
	"time"
)

// Progress is a snapshot of one run as it goes, for the admin chat's live
// progress message and for metrics. Frontends render it; they never need
// dispatch's internals to do the arithmetic.
type Progress struct {
	BroadcastID string
	RunID       string
	Status      RunStatus
	// PauseReason explains an automatic pause (in English, as stored with
	// the run); AutoPause carries its figures for the admin's language.
	PauseReason string
	AutoPause   *AutoPause
	Total       int
	// Channels counts recipients by outcome on each platform.
	Channels map[Platform]Tally
	// Accounts breaks the run down by account when it reached a named
	// account (AccountTallies; nil otherwise).
	Accounts map[Account]Tally
	// Held is how many recipients wait for their operator chat to close.
	Held int
	// Waiting is how many pending recipients wait for their own delivery
	// time (their local send time, or the end of their quiet hours); NextAt
	// is when the next of them are due, zero when none wait.
	Waiting int
	NextAt  time.Time
	// Rate is deliveries with a final outcome per second over the last
	// stretch of sending; 0 while too little has been seen to tell.
	Rate float64
	// ETA is the estimated time until the recipients due now (Due) are
	// done, at Rate; 0 when unknown. Waiting recipients are not in it: they
	// go out at their own time, whatever the rate.
	ETA       time.Duration
	StartedAt time.Time
	At        time.Time
}

// AutoPause is what paused a run by itself: more than Threshold (a
// fraction, 0.05 for 5%) of the Finished recipients Failed.
type AutoPause struct {
	Failed, Finished int
	Threshold        float64
}

// autoPauseShape is how an automatic pause is stored with its run and in
// the audit log, in English for operators and the API.
const autoPauseShape = "failures %d of %d (%.1f%%) passed the %.1f%% threshold"

// String is the pause as stored (Run.PauseReason, the audit detail).
func (a AutoPause) String() string {
	return fmt.Sprintf(autoPauseShape, a.Failed, a.Finished, 100*float64(a.Failed)/float64(max(1, a.Finished)), 100*a.Threshold)
}

// ParseAutoPause reads a stored pause reason back into its figures, so the
// admin chats can say it in the admin's language; ok is false for any
// other text.
func ParseAutoPause(s string) (a AutoPause, ok bool) {
	var pct, limit float64
	if n, err := fmt.Sscanf(s, "failures %d of %d (%f%%) passed the %f%% threshold", &a.Failed, &a.Finished, &pct, &limit); err != nil || n != 4 || a.Finished <= 0 {
		return AutoPause{}, false
	}
	a.Threshold = limit / 100
	return a, true
}

// Due is how many recipients are still to be sent now: pending, and not
// waiting for their own time (held ones are not pending).
func (p *Progress) Due() int {
	return max(0, p.Sum().Pending-p.Waiting)
}

// Sum is the tally over every channel.
func (p *Progress) Sum() Tally {
	var t Tally
	for _, c := range p.Channels {
		t = t.Add(c)
	}
	return t
}

// Percent is how much of the run has a final outcome, 0–100.
func (p *Progress) Percent() float64 {
	if p.Total == 0 {
		return 100
	}
	return 100 * float64(p.Sum().Done()) / float64(p.Total)
}

// Elapsed is how long the run has been going at p.At.
func (p *Progress) Elapsed() time.Duration {
	if p.StartedAt.IsZero() {
		return 0
	}
	return p.At.Sub(p.StartedAt)
}

// ReasonCount is how many recipients on a platform failed or were skipped
// for one reason, for the report's grouped lists.
type ReasonCount struct {
	Platform Platform
	// Account is the account's name where recipients are counted account
	// by account (the failures CSV's count); "" the default account.
	Account string
	Reason  string
	Count   int
}

// Report is the final account of a run: the last progress plus why
// recipients failed or were skipped, grouped, most frequent first.
type Report struct {
	Progress
	Failures []ReasonCount
	Skips    []ReasonCount
	Duration time.Duration
	// Control is the run's holdout control group, not sent (Run.Control).
	Control int
}

// ReasonCounter groups outcome reasons for a Report.
type ReasonCounter map[ReasonCount]int

// Add counts one recipient. An empty p groups by reason alone, for lists
// across platforms (/errors).
func (c ReasonCounter) Add(p Platform, reason string) {
	c[ReasonCount{Platform: p, Reason: reason}]++
}

// Sorted lists the groups, most frequent first (ties by platform, reason).
func (c ReasonCounter) Sorted() []ReasonCount {
	out := make([]ReasonCount, 0, len(c))
	for k, n := range c {
		k.Count = n
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Platform != b.Platform {
			return a.Platform < b.Platform
		}
		if a.Reason != b.Reason {
			return a.Reason < b.Reason
		}
		return a.Account < b.Account
	})
	return out
}
