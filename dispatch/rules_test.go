package dispatch_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/platformtest"
)

// declared is a sender as a new platform would bring it: its own rate
// class and its own rule on whom it may reach, which the engine applies
// without knowing the platform.
type declared struct {
	dispatch.Sender
	rates dispatch.Rates
}

func (d declared) Rates() dispatch.Rates { return d.rates }

// Admit refuses whoever never wrote to the bot.
func (d declared) Admit(sub *herald.Subscriber, _ herald.Category, _ time.Time) (bool, error) {
	if sub.LastInteraction.IsZero() {
		return false, fmt.Errorf("never wrote: %w", herald.ErrOutsideWindow)
	}
	return true, nil
}

// Two senders that declare one class share its limiter, at the class's
// declared rate unless Limits names the class; each sender's gate skips
// whom it refuses without a request.
func TestSendersBringTheirOwnRatesAndGates(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  map[string]float64
		want int // most requests in any one second, both platforms together
	}{
		{"declared rate", nil, 2},
		{"rate set by class name", map[string]float64{"shared": 1}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, nil)
			e.subscribe(herald.Telegram, 4, nil)
			never := map[herald.SubscriberKey]bool{}
			for i, s := range e.subscribe(herald.LINE, 4, func(i int, s *herald.Subscriber) {
				if i%2 == 1 {
					s.LastInteraction = time.Time{}
				}
			}) {
				never[s.Key()] = i%2 == 1
			}
			real := senders(t, e.url)
			class := dispatch.Rates{Single: dispatch.RateClass{Name: "shared", PerSecond: 2}}
			opts := e.opts
			opts.Limits = dispatch.Limits{PerSecond: tc.set, Headroom: 1}
			eng := e.engine(map[herald.Platform]dispatch.Sender{
				herald.Telegram: declared{real[herald.Telegram], class},
				herald.LINE:     declared{real[herald.LINE], class},
			}, opts)
			bid := e.broadcast(hello, herald.Telegram, herald.LINE)
			e.runOn(eng, bid)

			run := e.lastRun(bid)
			for _, d := range e.deliveries(run.ID, "") {
				if refused := never[d.Recipient]; refused && (d.Outcome != herald.Skipped || d.Reason != herald.ReasonOutsideWindow) ||
					!refused && d.Outcome != herald.Sent {
					t.Errorf("%s: %s %s", d.Recipient, d.Outcome, d.Reason)
				}
			}
			rec := e.fakes.Recorder
			if n := rec.Count(""); n != 6 {
				t.Fatalf("%d requests, want 6 (4 on one platform, the 2 admitted on the other)", n)
			}
			if most := mostInASecond(rec.Deliveries("")); most > tc.want {
				t.Errorf("%d requests in one second across both senders, over the class's %d", most, tc.want)
			}
		})
	}
}

// mostInASecond is the most deliveries within any one second.
func mostInASecond(ds []platformtest.Delivery) int {
	ts := make([]time.Time, len(ds))
	for i, d := range ds {
		ts[i] = d.At
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
	best, lo := 0, 0
	for hi := range ts {
		for ts[hi].Sub(ts[lo]) >= time.Second {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
