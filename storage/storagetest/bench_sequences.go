package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/storage"
)

// Enroller puts Seqs 1..n at step 0 of q, due at due(seq), the fastest
// way the backend has (the trigger path enrolls one person per
// transaction), and sets q to the stored sequence. s is the backend
// itself (what Opener.Open returned, unwrapped), so that the enroller can
// reach its engine.
type Enroller func(b *testing.B, s storage.Backend, q *herald.Sequence, n int, due func(seq uint32) time.Time)

// BenchSequenceHandOut is one benchmark for both backends: 1,000,000
// people enrolled in a two-step sequence, 100,000 of them due. One op
// finds them (NextSequenceDue: one seek per step) and hands them out
// (HandOutSteps: one transaction that makes the step's run with their
// 100,000 pending records and marks each "in run"). The people then move
// on to step 2 once the run ended (AdvanceStepRun), reported as
// advance_ms. Setup (1M subscribers, 1M enrollments) is outside the
// timer; run it with -benchtime=1x.
func BenchSequenceHandOut(b *testing.B, o Opener, enroll Enroller) {
	const enrolled, due = 1_000_000, 100_000
	timing := schedule.StepTiming{Zones: schedule.NewZones(time.UTC)}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var advance time.Duration
	for range b.N {
		b.StopTimer()
		s := o.Open(b, func() time.Time { return t0 })
		benchSubscribers(b, s, enrolled)
		q := herald.Sequence{Name: "Bench", Trigger: herald.Trigger{Kind: herald.TriggerEvent, Event: "bench"}, Steps: []herald.Step{
			{Content: herald.Content{Kind: herald.TextContent, Text: "one"}},
			{Delay: 24 * time.Hour, Content: herald.Content{Kind: herald.TextContent, Text: "two"}}}}
		if err := s.CreateSequence(&q); err != nil {
			b.Fatal(err)
		}
		enroll(b, Unwrap(s), &q, enrolled, func(seq uint32) time.Time {
			if seq <= due {
				return t0.Add(-time.Duration(seq) * time.Millisecond)
			}
			return t0.Add(time.Duration(seq) * time.Second)
		})
		b.StartTimer()

		next, ok, err := s.NextSequenceDue()
		if err != nil || !ok || next.After(t0) {
			b.Fatalf("next due %v %v %v", next, ok, err)
		}
		bids, n, err := s.HandOutSteps(t0, due, timing)
		if err != nil || n != due || len(bids) != 1 {
			b.Fatalf("handed out %d in %v: %v", n, bids, err)
		}

		b.StopTimer()
		runID := benchFinishRun(b, s, bids[0], t0)
		start := time.Now()
		if err := s.AdvanceStepRun(runID, timing); err != nil {
			b.Fatal(err)
		}
		advance += time.Since(start)
		if q, _ = s.Sequence(q.ID); q.Counts.WaitingAt(1) != due || q.Counts.WaitingAt(0) != enrolled-due {
			b.Fatalf("counts after moving on: %+v", q.Counts)
		}
		_ = s.Close()
	}
	b.ReportMetric(float64(advance.Milliseconds())/float64(b.N), "advance_ms")
	b.ReportMetric(due, "handed_out")
}

// benchSubscribers adds n users, Seqs 1..n, 10,000 per transaction.
func benchSubscribers(b *testing.B, s storage.Backend, n int) {
	b.Helper()
	buf := make([]herald.Subscriber, 0, 10_000)
	for i := 1; i <= n; i++ {
		buf = append(buf, herald.Subscriber{Platform: herald.Platforms[i%3], ID: fmt.Sprintf("U%032x", i), Kind: herald.KindUser,
			Name: fmt.Sprint("Subscriber ", i), Locale: "zh-TW", Timezone: "Asia/Taipei", State: herald.Subscribed})
		if len(buf) == cap(buf) || i == n {
			if err := s.PutSubscribers(buf); err != nil {
				b.Fatal(err)
			}
			buf = buf[:0]
		}
	}
}

// benchFinishRun records every recipient of broadcast bid's last run as
// sent (over an hour, in no order of Seq) and ends the run at t0, as the
// dispatcher would.
func benchFinishRun(b *testing.B, s storage.Backend, bid string, t0 time.Time) string {
	b.Helper()
	runs, err := s.RunsOf(bid)
	if err != nil || len(runs) == 0 {
		b.Fatal(runs, err)
	}
	id := runs[len(runs)-1].ID
	for {
		ds, err := s.Deliveries(id, herald.Pending, 0, 10_000)
		if err != nil {
			b.Fatal(err)
		}
		if len(ds) == 0 {
			break
		}
		for i := range ds {
			ds[i].Outcome, ds[i].At = herald.Sent, t0.Add(time.Duration(ds[i].Seq*7919%3600)*time.Second)
		}
		if err := s.RecordOutcomes(id, ds); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.UpdateRun(id, func(r *herald.Run) error {
		r.Status, r.FinishedAt = herald.RunCompleted, t0
		return nil
	}); err != nil {
		b.Fatal(fmt.Errorf("finish run: %w", err))
	}
	return id
}
