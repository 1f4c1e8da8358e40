package storage

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	bolt "go.etcd.io/bbolt"
)

// BenchmarkSequenceHandOut: 1,000,000 people enrolled in a two-step
// sequence, 100,000 of them due. One op finds them (NextSequenceDue: one
// seek per step) and hands them out (HandOutSteps: one transaction that
// makes the step's run with their 100,000 pending records and marks each
// "in run"). The people then move on to step 2 once the run ended
// (AdvanceStepRun), reported as advance_ms. Setup (1M subscribers, 1M
// enrollments) is outside the timer; run it with -benchtime=1x.
func BenchmarkSequenceHandOut(b *testing.B) {
	const enrolled, due = 1_000_000, 100_000
	timing := schedule.StepTiming{Zones: schedule.NewZones(time.UTC)}
	t0 := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var advance time.Duration
	for range b.N {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "herald.db"), Options{Now: func() time.Time { return t0 }})
		if err != nil {
			b.Fatal(err)
		}
		fill(b, s, enrolled, 10_000)
		q := herald.Sequence{Name: "Bench", Trigger: herald.Trigger{Kind: herald.TriggerEvent, Event: "bench"}, Steps: []herald.Step{
			{Content: herald.Content{Kind: herald.TextContent, Text: "one"}},
			{Delay: 24 * time.Hour, Content: herald.Content{Kind: herald.TextContent, Text: "two"}}}}
		if err := s.CreateSequence(&q); err != nil {
			b.Fatal(err)
		}
		enrollAll(b, s, &q, enrolled, func(seq uint32) time.Time {
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
		runID := finishRun(b, s, bids[0])
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

// enrollAll puts subscribers 1..n at step 0 of q, due at due(seq), 10,000
// per transaction (the trigger path enrolls one person per transaction).
func enrollAll(b *testing.B, s *Store, q *herald.Sequence, n int, due func(seq uint32) time.Time) {
	b.Helper()
	for from := 1; from <= n; from += 10_000 {
		err := s.update("bench enroll", func(tx *bolt.Tx) error {
			var stored herald.Sequence
			if err := getJSON(tx.Bucket(bucketSequences), []byte(q.ID), &stored); err != nil {
				return err
			}
			_, m := openMoves(tx, nil)
			for seq := uint32(from); seq < uint32(min(from+10_000, n+1)); seq++ {
				if err := m.wait(&stored, seq, nil, 0, due(seq)); err != nil {
					return err
				}
			}
			stored.Counts.Enrolled += min(10_000, n+1-from)
			*q = stored
			return putJSON(tx.Bucket(bucketSequences), []byte(q.ID), &stored)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// finishRun records every recipient of broadcast bid's last run as sent
// and ends the run, as the dispatcher would.
func finishRun(b *testing.B, s *Store, bid string) string {
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
			// sent over an hour, in no order of Seq
			ds[i].Outcome, ds[i].At = herald.Sent, s.now().Add(time.Duration(ds[i].Seq*7919%3600)*time.Second)
		}
		if err := s.RecordOutcomes(id, ds); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.UpdateRun(id, func(r *herald.Run) error {
		r.Status, r.FinishedAt = herald.RunCompleted, s.now()
		return nil
	}); err != nil {
		b.Fatal(fmt.Errorf("finish run: %w", err))
	}
	return id
}
