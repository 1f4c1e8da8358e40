package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// BenchInbound is one benchmark for both backends: webhooks' group
// commits of 200 end-user events each (a new event ID, an existing
// subscriber's activity, a tap on one of four buttons), the path every
// inbound message and tap takes. It reports events/s.
func BenchInbound(b *testing.B, o Opener) {
	const people, batch = 10_000, 200
	s := o.Open(b, nil)
	benchSubscribers(b, s, people)
	ids := make([]string, batch)
	keys := make([]herald.SubscriberKey, batch)
	taps := make([]herald.Tap, batch)
	touch := func(_ int, sub *herald.Subscriber, _ bool) error { sub.LastInteraction = time.Now(); return nil }
	n := 0
	b.ResetTimer()
	for range b.N {
		for i := range batch {
			n++
			ids[i] = fmt.Sprintf("line:E%d", n)
			who := n%people + 1 // as benchSubscribers made them
			keys[i] = herald.SubscriberKey{Platform: herald.Platforms[who%3], ID: fmt.Sprintf("U%032x", who)}
			taps[i] = herald.Tap{BroadcastID: "B-BENCH", ButtonID: fmt.Sprint("b", n%4), Subscriber: keys[i], At: time.Now()}
		}
		if _, err := s.RecordInbound(ids, keys, taps, touch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
