// Package platformtest holds faithful local fakes of the platform APIs Herald
// talks to (Telegram Bot API, Slack Web API and Socket Mode, LINE Messaging
// API, Messenger Send API). Each fake is an http.Handler with a Recorder and
// Faults, used by tests, benchmarks, the load tool and -demo. Standard
// library only.
package platformtest

import (
	"sort"
	"sync"
	"time"
)

// Delivery is one message a fake accepted for one recipient.
type Delivery struct {
	Platform  string // "telegram", "slack", "line", "messenger"
	Token     string // the bot/page/channel token that sent it
	Recipient string // chat ID, user ID, channel
	Method    string // e.g. "sendMessage", "multicast", "me/messages"
	// Content is a canonical rendering of what was sent (text, or the JSON of
	// the message); two deliveries with the same Recipient and Content are
	// duplicates.
	Content   string
	RequestID int64 // deliveries made by one request share it (LINE multicast)
	MessageID string
	At        time.Time
}

// Rejection is a request a fake refused.
type Rejection struct {
	Platform string
	Token    string
	Method   string
	Status   int
	Reason   string
	At       time.Time
}

// Recorder keeps what the fakes received. Safe for concurrent use; cheap
// enough on the hot path that the fakes are never a load test's bottleneck.
type Recorder struct {
	mu         sync.Mutex
	now        func() time.Time
	nextReq    int64
	deliveries deliveryLog
	rejected   []Rejection
	seen       map[dupKey]int
}

type dupKey struct{ platform, recipient, content string }

// NewRecorder returns an empty recorder using now (time.Now when nil).
func NewRecorder(now func() time.Time) *Recorder {
	if now == nil {
		now = time.Now
	}
	return &Recorder{now: now, seen: make(map[dupKey]int)}
}

// Now is the recorder's clock.
func (r *Recorder) Now() time.Time { return r.now() }

// NewRequestID numbers an accepted request; use it for all deliveries it makes.
func (r *Recorder) NewRequestID() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextReq++
	return r.nextReq
}

// Record stores deliveries (At is set when zero).
func (r *Recorder) Record(ds ...Delivery) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, d := range ds {
		if d.At.IsZero() {
			d.At = now
		}
		r.deliveries.add(d)
		r.seen[dupKey{d.Platform, d.Recipient, d.Content}]++
	}
}

// Reject stores a refused request (At is set when zero).
func (r *Recorder) Reject(x Rejection) {
	if x.At.IsZero() {
		x.At = r.now()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rejected = append(r.rejected, x)
}

// Deliveries returns the deliveries to platform ("" for all), in order.
func (r *Recorder) Deliveries(platform string) []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Delivery
	r.deliveries.each(func(d *Delivery) {
		if platform == "" || d.Platform == platform {
			out = append(out, *d)
		}
	})
	return out
}

// To returns the deliveries to one recipient on platform, in order.
func (r *Recorder) To(platform, recipient string) []Delivery {
	var out []Delivery
	for _, d := range r.Deliveries(platform) {
		if d.Recipient == recipient {
			out = append(out, d)
		}
	}
	return out
}

// Count is the number of deliveries to platform ("" for all).
func (r *Recorder) Count(platform string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if platform == "" {
		return r.deliveries.n
	}
	n := 0
	r.deliveries.each(func(d *Delivery) {
		if d.Platform == platform {
			n++
		}
	})
	return n
}

// First is when the earliest delivery was recorded (zero when none): a
// load test reads how long its sender took to begin.
func (r *Recorder) First() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var first time.Time
	r.deliveries.each(func(d *Delivery) {
		if first.IsZero() || d.At.Before(first) {
			first = d.At
		}
	})
	return first
}

// Recipients is the number of distinct recipients on platform.
func (r *Recorder) Recipients(platform string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]struct{})
	r.deliveries.each(func(d *Delivery) {
		if d.Platform == platform {
			seen[d.Recipient] = struct{}{}
		}
	})
	return len(seen)
}

// Requests is the number of distinct requests that delivered to platform
// ("" for all): a multicast or a batch is one.
func (r *Recorder) Requests(platform string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[int64]struct{})
	r.deliveries.each(func(d *Delivery) {
		if platform == "" || d.Platform == platform {
			seen[d.RequestID] = struct{}{}
		}
	})
	return len(seen)
}

// Duplicates returns, per recipient of platform, how many extra copies of
// the same content they received (absent when none).
func (r *Recorder) Duplicates(platform string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int)
	for k, n := range r.seen {
		if n > 1 && (platform == "" || k.platform == platform) {
			out[k.recipient] += n - 1
		}
	}
	return out
}

// Rejected returns refused requests for platform ("" for all).
func (r *Recorder) Rejected(platform string) []Rejection {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Rejection
	for _, x := range r.rejected {
		if platform == "" || x.Platform == platform {
			out = append(out, x)
		}
	}
	return out
}

// MaxPerSecond is the largest number of deliveries on platform that fell in
// any sliding one-second window, keyed by token and, separately, by recipient
// when byRecipient is set.
func (r *Recorder) MaxPerSecond(platform string, byRecipient bool) map[string]int {
	groups := make(map[string][]time.Time)
	for _, d := range r.Deliveries(platform) {
		k := d.Token
		if byRecipient {
			k = d.Recipient
		}
		groups[k] = append(groups[k], d.At)
	}
	out := make(map[string]int, len(groups))
	for k, ts := range groups {
		out[k] = maxInWindow(ts, time.Second)
	}
	return out
}

// maxInWindow is the most timestamps within any half-open window of width w.
func maxInWindow(ts []time.Time, w time.Duration) int {
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

// Reset forgets everything recorded.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliveries, r.rejected = deliveryLog{}, nil
	r.seen = make(map[dupKey]int)
}
