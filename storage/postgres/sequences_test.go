package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/jackc/pgx/v5"
)

// What only PostgreSQL needs testing for: writers that run at once (bbolt
// has one writer at a time), and the due index being an index.

func eventSeq(name string) herald.Sequence {
	return herald.Sequence{Name: name, Trigger: herald.Trigger{Kind: herald.TriggerEvent, Event: "go"},
		Steps: []herald.Step{{Content: herald.Content{Kind: herald.TextContent, Text: "one"}},
			{Delay: time.Hour, Content: herald.Content{Kind: herald.TextContent, Text: "two"}}}}
}

// parallel runs fn(i) for i < n in n goroutines at once.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			fn(i)
		})
	}
	close(start)
	wg.Wait()
}

func TestAnEventTakenAtOnceByManyIsTakenOnce(t *testing.T) {
	s := open(t, pgtest.URL(t))
	var first atomic.Int32
	parallel(8, func(int) {
		ok, err := s.TakeEvent("evt", time.Now())
		if err != nil {
			t.Error(err)
		}
		if ok {
			first.Add(1)
		}
	})
	if first.Load() != 1 {
		t.Fatalf("taken %d times", first.Load())
	}
}

func TestTwoCreatesOfOneIDLeaveOneSequenceAndItsStepsAlone(t *testing.T) {
	s := open(t, pgtest.URL(t))
	var made atomic.Int32
	parallel(4, func(i int) {
		q := eventSeq(fmt.Sprint("try ", i))
		q.ID = "Q-SAME"
		err := s.CreateSequence(&q)
		switch {
		case err == nil:
			made.Add(1)
		case !errors.Is(err, herald.ErrConflict):
			t.Errorf("create %d: %v", i, err)
		}
	})
	if made.Load() != 1 {
		t.Fatalf("made %d", made.Load())
	}
	// The failed creates' step broadcasts went with their transactions.
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM broadcasts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d broadcasts, want the 2 steps of the one sequence", n)
	}
}

func TestUpdatesAtOnceLoseNothing(t *testing.T) {
	s := open(t, pgtest.URL(t))
	q := eventSeq("Count")
	if err := s.CreateSequence(&q); err != nil {
		t.Fatal(err)
	}
	parallel(8, func(i int) {
		if _, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error {
			u.ExitTags = append(u.ExitTags, fmt.Sprint("t", i))
			return nil
		}); err != nil {
			t.Error(err)
		}
	})
	got, err := s.Sequence(q.ID)
	if err != nil || len(got.ExitTags) != 8 {
		t.Fatalf("exit tags %v %v", got.ExitTags, err)
	}
	b, err := s.Broadcast(got.Steps[0].BroadcastID)
	if err != nil || len(b.Step.ExitTags) != 8 {
		t.Fatalf("the step broadcast's exit tags %+v %v", b.Step, err)
	}
}

func TestAFailedUpdateLeavesNothingBehind(t *testing.T) {
	s := open(t, pgtest.URL(t))
	q := eventSeq("Keep")
	if err := s.CreateSequence(&q); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	_, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error {
		u.Steps = append(u.Steps, herald.Step{Content: herald.Content{Kind: herald.TextContent, Text: "three"}})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	if err := s.pool.QueryRow(context.Background(), `SELECT count(*) FROM broadcasts`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d broadcasts %v", n, err)
	}
}

func TestNoNotesWithoutSequences(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	sub := &herald.Subscriber{Seq: 7, Platform: herald.LINE, ID: "U1", Tags: []string{"vip"}}
	err := s.write("note", func(ctx context.Context, tx pgx.Tx) error { return s.noteChanged(ctx, tx, nil, sub) })
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sequence_notes`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d notes %v", n, err)
	}
	q := eventSeq("Any")
	if err := s.CreateSequence(&q); err != nil {
		t.Fatal(err)
	}
	var kicked atomic.Int32
	s.OnSequenceNotes(func() { kicked.Add(1) })
	err = s.write("note", func(ctx context.Context, tx pgx.Tx) error { return s.noteChanged(ctx, tx, nil, sub) })
	if err != nil || kicked.Load() != 1 {
		t.Fatalf("kicked %d %v", kicked.Load(), err)
	}
	// A transaction that fails takes its notes with it.
	_ = s.write("note", func(ctx context.Context, tx pgx.Tx) error {
		if err := s.noteTriggers(ctx, tx, []storage.SequenceNote{{Seq: 7, Kind: herald.TriggerTag, Detail: "gone"}}); err != nil {
			return err
		}
		return errors.New("rolled back")
	})
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM sequence_notes`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d notes %v", n, err)
	}
}

func TestTheHandOutSeeksTheDueIndex(t *testing.T) {
	s := open(t, pgtest.URL(t))
	ctx := context.Background()
	if _, err := s.pool.Exec(ctx, `INSERT INTO enrollments (sequence, seq, step, due)
		SELECT 'Q-' || (g % 50), g, g % 3, now() + g * interval '1 second' FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE enrollments`); err != nil {
		t.Fatal(err)
	}
	rows, err := s.pool.Query(ctx, `EXPLAIN (FORMAT TEXT) SELECT seq, due FROM enrollments
		WHERE sequence = 'Q-7' AND step = 1 AND run = 0 AND due <= now() ORDER BY due, seq LIMIT 100`)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if all := strings.Join(plan, "\n"); !strings.Contains(all, "Index Only Scan using enrollments_due") {
		t.Fatalf("the hand-out does not seek the due index:\n%s", all)
	}
}

// timing is a step's delay after from, nothing else.
type timing struct{}

func (timing) Due(q *herald.Sequence, step int, _ *herald.Subscriber, from time.Time) time.Time {
	return from.Add(q.Steps[step].Delay)
}

func (timing) NotBefore(*herald.Subscriber, time.Time) time.Time { return time.Time{} }

func TestEnrollmentsAndHandOutsAtOnceCountEveryoneOnce(t *testing.T) {
	s := open(t, pgtest.URL(t))
	const n = 8
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprint("U", i), Kind: herald.KindUser, State: herald.Subscribed}
	}
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	for i := range subs {
		sub, err := s.Subscriber(subs[i].Key())
		if err != nil {
			t.Fatal(err)
		}
		subs[i].Seq = sub.Seq
	}
	q := eventSeq("Busy")
	if err := s.CreateSequence(&q); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	// Each person twice, all at once: each enters once, no count is lost.
	var entered atomic.Int32
	parallel(2*n, func(i int) {
		in, err := s.EnrollMatching(herald.TriggerEvent, "go", subs[i%n].Seq, now, timing{})
		if err != nil {
			t.Error(err)
		}
		entered.Add(int32(len(in)))
	})
	got, err := s.Sequence(q.ID)
	if err != nil || entered.Load() != n || got.Counts.Enrolled != n || got.Counts.WaitingAt(0) != n {
		t.Fatalf("entered %d, counts %+v %v", entered.Load(), got.Counts, err)
	}
	// Hand-outs at once make one run of everyone.
	var handed atomic.Int32
	parallel(4, func(int) {
		_, k, err := s.HandOutSteps(now, 100, timing{})
		if err != nil {
			t.Error(err)
		}
		handed.Add(int32(k))
	})
	runs, err := s.SequenceRuns()
	if err != nil || handed.Load() != n || len(runs) != 1 {
		t.Fatalf("handed out %d in runs %v %v", handed.Load(), runs, err)
	}
}
