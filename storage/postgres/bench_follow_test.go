package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage/pgtest"
)

// BenchmarkIndexLogCost measures what following other instances costs
// a writer, in one run: an import (PutSubscribers of 100,000 new people,
// one transaction) and a loop of 2,000 UpdateSubscriber calls, on a store
// opened alone (no change log), a shared store alone (it writes the log
// and NOTIFYs), and a shared store while a second instance follows it.
// Each mode runs three times, interleaved, on a fresh schema, and its fastest run counts (the machine is shared);
// *_ratio metrics are a mode's time over the store alone's. Run with
// -benchtime=1x. Skipped without HERALD_TEST_POSTGRES.
func BenchmarkIndexLogCost(b *testing.B) {
	type mode struct {
		name           string
		shared, follow bool
	}
	modes := []mode{{"alone", false, false}, {"shared", true, false}, {"followed", true, true}}
	best := map[string][2]time.Duration{}
	for b.Loop() {
		for range 3 {
			for _, m := range modes {
				put, upd := runWrites(b, m.shared, m.follow)
				cur, ok := best[m.name]
				if !ok || put < cur[0] {
					cur[0] = put
				}
				if !ok || upd < cur[1] {
					cur[1] = upd
				}
				best[m.name] = cur
			}
		}
	}
	base := best["alone"]
	for _, m := range modes {
		t := best[m.name]
		b.ReportMetric(t[0].Seconds(), m.name+"_put100k_s")
		b.ReportMetric(t[1].Seconds()/2000*1e6, m.name+"_update_us")
		if m.name != "alone" {
			b.ReportMetric(t[0].Seconds()/base[0].Seconds(), m.name+"_put_ratio")
			b.ReportMetric(t[1].Seconds()/base[1].Seconds(), m.name+"_update_ratio")
		}
	}
}

// runWrites times one import and one update loop on a fresh schema.
func runWrites(b *testing.B, shared, follow bool) (put, upd time.Duration) {
	url := pgtest.URL(b)
	s, err := Open(context.Background(), url, Options{Shared: shared})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if follow {
		o := openShared(b, url)
		defer o.Close()
	}
	var subs []herald.Subscriber
	err = audiencetest.Load(func(batch []herald.Subscriber) error {
		subs = append(subs, batch...)
		return nil
	}, 100_000, 100_000, 1, time.Now().UTC())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := s.PutSubscribers(subs); err != nil {
		b.Fatal(err)
	}
	put = time.Since(start)
	start = time.Now()
	for i := range 2000 {
		key := subs[i*37%len(subs)].Key()
		_, err := s.UpdateSubscriber(key, func(sub *herald.Subscriber, _ bool) error {
			sub.Attributes = map[string]string{"n": fmt.Sprint(i)}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return put, time.Since(start)
}
