package storagetest

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// Dispatch is a run's storage work as dispatch does it (with its default
// sizes), for n recipients spread over the three platforms: the snapshot
// appends them in batches of 5,000; then one worker per platform, at
// once, pages its pending records 1,000 at a time and group-commits them
// by 500: each chunk's marks with the previous chunk's outcomes
// (CommitDeliveries), the last outcomes alone (RecordOutcomes). It
// returns how long that took; s is a new store.
func Dispatch(tb testing.TB, s storage.Backend, n int) time.Duration {
	tb.Helper()
	b := herald.Broadcast{Name: "bench"}
	if err := s.CreateBroadcast(&b); err != nil {
		tb.Fatal(err)
	}
	r := herald.Run{BroadcastID: b.ID}
	if err := s.CreateRun(&r); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	const snapBatch, page, chunk = 5000, 1000, 500
	batch := make([]herald.Delivery, 0, snapBatch)
	for seq := 1; seq <= n; seq++ {
		p := herald.Platforms[seq%len(herald.Platforms)]
		batch = append(batch, herald.Delivery{Seq: uint32(seq), Recipient: herald.SubscriberKey{Platform: p, ID: "U" + string(rune('a'+seq%26))}})
		if len(batch) == snapBatch || seq == n {
			if err := s.AddDeliveries(r.ID, batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(herald.Platforms))
	for _, p := range herald.Platforms {
		wg.Go(func() {
			var done []herald.Delivery
			for after := uint32(0); ; {
				ds, err := s.PendingDeliveries(r.ID, p, after, page)
				if err != nil {
					errs <- err
					return
				}
				if len(ds) == 0 {
					errs <- s.RecordOutcomes(r.ID, done)
					return
				}
				after = ds[len(ds)-1].Seq
				for from := 0; from < len(ds); from += chunk {
					part := ds[from:min(from+chunk, len(ds))]
					started := make([]uint32, len(part))
					for i := range part {
						started[i] = part[i].Seq
					}
					if err := s.CommitDeliveries(r.ID, started, done); err != nil {
						errs <- err
						return
					}
					for i := range part {
						part[i].Outcome, part[i].MessageID, part[i].Attempts, part[i].At = herald.Sent, "m", 1, time.Now()
					}
					done = part
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	took := time.Since(start)
	got, err := s.Run(r.ID)
	sent := 0
	for _, t := range got.Tally {
		sent += t.Sent
	}
	if err != nil || got.Total != n || sent != n {
		tb.Fatalf("after the run: Total %d, sent %d, %v; want %d", got.Total, sent, err, n)
	}
	return took
}
