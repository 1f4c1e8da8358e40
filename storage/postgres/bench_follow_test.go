package postgres

import (
	"context"
	"fmt"
	"slices"
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

// BenchmarkIndexFollowLatency measures how soon a write on one instance
// shows in another's audience index: a tag change of one subscriber, 200
// times (median and worst), and an import of 100,000 people (one
// transaction), from the writer's return to the follower's count. Run
// with -benchtime=1x. Skipped without HERALD_TEST_POSTGRES.
func BenchmarkIndexFollowLatency(b *testing.B) {
	url := pgtest.URL(b)
	w, f := openShared(b, url), openShared(b, url)
	everyone := &herald.Audience{Channels: herald.Platforms}
	wait := func(done func() bool) time.Duration {
		start := time.Now()
		for !done() {
			if time.Since(start) > time.Minute {
				b.Fatal("the follower never saw the write")
			}
			time.Sleep(200 * time.Microsecond)
		}
		return time.Since(start)
	}
	var lat []time.Duration
	var imp time.Duration
	for b.Loop() {
		key := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
		for i := range 200 {
			tag := fmt.Sprint("t", i)
			_, err := w.UpdateSubscriber(key, func(sub *herald.Subscriber, _ bool) error {
				sub.Kind, sub.State = herald.KindUser, herald.Subscribed
				sub.SetTags([]string{tag})
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			lat = append(lat, wait(func() bool { return f.index().TagCounts()[tag] == 1 }))
		}
		before, _ := f.Count(everyone, herald.NonMarketing, time.Now())
		err := audiencetest.Load(w.PutSubscribers, 100_000, 100_000, 2, time.Now().UTC())
		if err != nil {
			b.Fatal(err)
		}
		after, _ := w.Count(everyone, herald.NonMarketing, time.Now())
		imp = wait(func() bool {
			c, _ := f.Count(everyone, herald.NonMarketing, time.Now())
			return c.Total == after.Total && c.Total != before.Total
		})
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "update_median_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "update_worst_ms")
	b.ReportMetric(imp.Seconds(), "import100k_s")
}
