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
// one transaction) and UpdateSubscriber calls, on a store opened alone (no
// change log), a shared store alone (it writes the log and NOTIFYs), and
// a shared store while a second instance follows it. The machine is
// shared, so the modes take turns: each round imports into a fresh schema
// per mode, then updates one subscriber on each store in turn, 2,000
// times; the fastest import of three rounds and the total update time
// count. *_ratio metrics are a mode's time over the store alone's. Run
// with -benchtime=1x. Skipped without HERALD_TEST_POSTGRES.
func BenchmarkIndexLogCost(b *testing.B) {
	names := []string{"alone", "shared", "followed"}
	put := make([]time.Duration, len(names))
	upd := make([]time.Duration, len(names))
	for b.Loop() {
		for range 3 {
			stores := make([]*Store, len(names))
			var subs []herald.Subscriber
			for m := range names {
				s, p := importInto(b, m > 0, m > 1)
				stores[m], subs = s, p.subs
				if put[m] == 0 || p.took < put[m] {
					put[m] = p.took
				}
			}
			for i := range 2000 {
				key := subs[i*37%len(subs)].Key()
				for m, s := range stores {
					start := time.Now()
					_, err := s.UpdateSubscriber(key, func(sub *herald.Subscriber, _ bool) error {
						sub.Attributes = map[string]string{"n": fmt.Sprint(i)}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
					upd[m] += time.Since(start)
				}
			}
		}
	}
	for m, name := range names {
		b.ReportMetric(put[m].Seconds(), name+"_put100k_s")
		b.ReportMetric(upd[m].Seconds()/6000*1e6, name+"_update_us")
		if m > 0 {
			b.ReportMetric(put[m].Seconds()/put[0].Seconds(), name+"_put_ratio")
			b.ReportMetric(upd[m].Seconds()/upd[0].Seconds(), name+"_update_ratio")
		}
	}
}

type imported struct {
	subs []herald.Subscriber
	took time.Duration
}

// importInto opens a store on a fresh schema (shared or not, followed by a
// second instance or not) and times an import of 100,000 people into it.
func importInto(b *testing.B, shared, follow bool) (*Store, imported) {
	url := pgtest.URL(b)
	s, err := Open(context.Background(), url, Options{Shared: shared})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if follow {
		openShared(b, url)
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
	return s, imported{subs, time.Since(start)}
}
