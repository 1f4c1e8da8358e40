package storagetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

func seqRemoveStep(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 3)
	q, bid := handOutWelcome(t, s, seqs)
	runID := finishRun(t, s, bid, t0)
	if err := s.AdvanceStepRun(runID, timing); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{0, 3}, 3, 0, 0)
	if _, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error {
		u.Steps = u.Steps[:1]
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{0}, 3, 3, 0)
	if _, err := s.Broadcast(q.Steps[1].BroadcastID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("the removed step's broadcast: %v", err)
	}
	if _, ok, err := s.NextSequenceDue(); ok || err != nil {
		t.Fatalf("someone still waits: %v %v", ok, err)
	}
	if in := enroll(t, s, seqs[0], t0.Add(time.Hour)); len(in) != 1 {
		t.Fatalf("who finished may enter again: %v", in)
	}
}

func seqDelete(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	q := createSeq(t, s, twoSteps("Welcome"))
	enroll(t, s, seqs[0], t0)
	bids, _, err := s.HandOutSteps(t0, 10, timing)
	if err != nil || len(bids) != 1 {
		t.Fatal(bids, err)
	}
	if _, err := s.DeleteSequence(q.ID); !errors.Is(err, herald.ErrInvalidTransition) {
		t.Fatalf("deleting while a step sends: %v", err)
	}
	finishRun(t, s, bids[0], t0)
	got, err := s.DeleteSequence(q.ID)
	if err != nil || got.ID != q.ID {
		t.Fatal(got, err)
	}
	for _, st := range q.Steps {
		if _, err := s.Broadcast(st.BroadcastID); !errors.Is(err, herald.ErrNotFound) {
			t.Fatalf("step broadcast %s: %v", st.BroadcastID, err)
		}
	}
	if _, err := s.Sequence(q.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("deleted: %v", err)
	}
	if _, err := s.DeleteSequence(q.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("deleted twice: %v", err)
	}
	// A new sequence of the same people starts empty.
	q2 := createSeq(t, s, twoSteps("Again"))
	if in := enroll(t, s, seqs[0], t0); !slices.Equal(in, []string{q2.ID}) {
		t.Fatalf("entered %v", in)
	}
}

func seqEnroll(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	q := createSeq(t, s, twoSteps("Welcome"))
	other := createSeq(t, s, herald.Sequence{Name: "Tagged", Trigger: herald.Trigger{Kind: herald.TriggerTag, Tag: "vip"},
		Steps: []herald.Step{{Content: herald.Content{Kind: herald.TextContent, Text: "hi"}}}})
	if in := enroll(t, s, seqs[0], t0); !slices.Equal(in, []string{q.ID}) {
		t.Fatalf("entered %v", in)
	}
	if in := enroll(t, s, seqs[0], t0.Add(time.Minute)); len(in) != 0 {
		t.Fatalf("entered twice: %v", in)
	}
	in, err := s.EnrollMatching(herald.TriggerTag, "vip", seqs[1], t0, timing)
	if err != nil || !slices.Equal(in, []string{other.ID}) {
		t.Fatalf("tag entered %v %v", in, err)
	}
	wantCounts(t, s, q.ID, []int{1, 0}, 1, 0, 0)
	next, ok, err := s.NextSequenceDue()
	if err != nil || !ok || !next.Equal(t0) {
		t.Fatalf("next due %v %v %v", next, ok, err)
	}
	if in := enroll(t, s, 999_999, t0); len(in) != 0 {
		t.Fatalf("a Seq nobody has entered %v", in)
	}
}

func seqEnrollNot(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	q := createSeq(t, s, twoSteps("Welcome"))
	setState(t, s, 1, herald.Blocked)
	if in := enroll(t, s, seqs[1], t0); len(in) != 0 {
		t.Fatalf("blocked entered %v", in)
	}
	shop := twoSteps("Shop only")
	shop.Trigger.Event = "shop"
	shop.Accounts = []herald.Account{{Platform: herald.LINE, Name: "shop"}}
	shop = createSeq(t, s, shop)
	if in, err := s.EnrollMatching(herald.TriggerEvent, "shop", seqs[0], t0, timing); err != nil || len(in) != 0 {
		t.Fatalf("another account's person entered %v %v", in, err)
	}
	if _, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error { u.Paused = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if in := enroll(t, s, seqs[0], t0); len(in) != 0 {
		t.Fatalf("paused took %v", in)
	}
	if _, ok, err := s.NextSequenceDue(); ok || err != nil {
		t.Fatalf("due %v %v", ok, err)
	}
}

func seqHandOut(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 5)
	q := createSeq(t, s, twoSteps("Welcome"))
	for i, seq := range seqs {
		enroll(t, s, seq, t0.Add(time.Duration(i)*time.Minute))
	}
	bids, n, err := s.HandOutSteps(t0.Add(2*time.Minute), 2, timing)
	if err != nil || n != 2 || !slices.Equal(bids, []string{q.Steps[0].BroadcastID}) {
		t.Fatalf("handed out %v %d %v", bids, n, err)
	}
	if b, _ := s.Broadcast(bids[0]); b.Status != herald.StatusSending {
		t.Fatalf("step broadcast is %s", b.Status)
	}
	runs, err := s.SequenceRuns()
	if err != nil || len(runs) != 1 {
		t.Fatalf("sequence runs %v %v", runs, err)
	}
	ds, err := s.Deliveries(runs[0], herald.Pending, 0, 0)
	if err != nil || len(ds) != 2 || ds[0].Seq != seqs[0] || ds[1].Seq != seqs[1] || ds[0].Recipient != lineKey(0) {
		t.Fatalf("the run's recipients %+v %v", ds, err)
	}
	// The step sends: the next of its people wait for the run to end.
	if next, ok, err := s.NextSequenceDue(); ok || err != nil {
		t.Fatalf("due while sending %v %v %v", next, ok, err)
	}
	if bids, n, err := s.HandOutSteps(t0.Add(time.Hour), 10, timing); err != nil || n != 0 || len(bids) != 0 {
		t.Fatalf("a second run of a sending step %v %d %v", bids, n, err)
	}
	wantCounts(t, s, q.ID, []int{5, 0}, 5, 0, 0)

	sent := t0.Add(3 * time.Minute)
	runID := finishRun(t, s, q.Steps[0].BroadcastID, sent)
	if err := s.AdvanceStepRun(runID, timing); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{3, 2}, 5, 0, 0)
	if err := s.AdvanceStepRun(runID, timing); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{3, 2}, 5, 0, 0)
	if runs, _ := s.SequenceRuns(); len(runs) != 0 {
		t.Fatalf("moved on, still listed: %v", runs)
	}
	if next, ok, err := s.NextSequenceDue(); !ok || err != nil || !next.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("next due %v %v %v", next, ok, err)
	}
	// Step two is due a day after each was sent.
	if _, n, err := s.HandOutSteps(sent.Add(24*time.Hour-time.Second), 10, timing); err != nil || n != 3 {
		t.Fatalf("step one's rest %d %v", n, err)
	}
	bids, n, err = s.HandOutSteps(sent.Add(24*time.Hour), 10, timing)
	if err != nil || n != 2 || !slices.Equal(bids, []string{q.Steps[1].BroadcastID}) {
		t.Fatalf("step two %v %d %v", bids, n, err)
	}
	runID = finishRun(t, s, bids[0], sent.Add(25*time.Hour))
	if err := s.AdvanceStepRun(runID, timing); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{3, 0}, 5, 2, 0)
}

func seqHandOutLeavers(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 3)
	q := twoSteps("Welcome")
	q.ExitTags = []string{"bought"}
	q = createSeq(t, s, q)
	for _, seq := range seqs {
		enroll(t, s, seq, t0)
	}
	setState(t, s, 0, herald.Unsubscribed)
	addTag(t, s, 1, "bought")
	bids, n, err := s.HandOutSteps(t0, 10, timing)
	if err != nil || n != 1 || len(bids) != 1 {
		t.Fatalf("handed out %v %d %v", bids, n, err)
	}
	wantCounts(t, s, q.ID, []int{1, 0}, 3, 0, 2)
	runs, _ := s.SequenceRuns()
	if ds, _ := s.Deliveries(runs[0], "", 0, 0); len(ds) != 1 || ds[0].Seq != seqs[2] {
		t.Fatalf("recipients %+v", ds)
	}
}

func seqAdvanceUnfinished(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 1)
	q, _ := handOutWelcome(t, s, seqs)
	runs, _ := s.SequenceRuns()
	if err := s.AdvanceStepRun(runs[0], timing); !errors.Is(err, herald.ErrInvalidTransition) {
		t.Fatalf("advance of a sending run: %v", err)
	}
	if again, _ := s.SequenceRuns(); !slices.Equal(again, runs) {
		t.Fatalf("a refused advance forgot the run: %v", again)
	}
	if err := s.AdvanceStepRun("B-NONE/1", timing); err != nil {
		t.Fatalf("a run that is no step's: %v", err)
	}
	wantCounts(t, s, q.ID, []int{1, 0}, 1, 0, 0)
}

func seqAdvancePending(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	q, _ := handOutWelcome(t, s, seqs)
	runs, _ := s.SequenceRuns()
	ds, _ := s.Deliveries(runs[0], herald.Pending, 0, 0)
	ds = ds[:1]
	ds[0].Outcome, ds[0].Reason, ds[0].At = herald.Failed, herald.ReasonBlocked, t0
	if err := s.RecordOutcomes(runs[0], ds); err != nil {
		t.Fatal(err)
	}
	end := t0.Add(time.Hour)
	endRun(t, s, runs[0], end)
	if err := s.AdvanceStepRun(runs[0], timing); err != nil {
		t.Fatal(err)
	}
	wantCounts(t, s, q.ID, []int{1, 0}, 2, 0, 1)
	if next, ok, err := s.NextSequenceDue(); !ok || err != nil || !next.Equal(end) {
		t.Fatalf("the unreached one waits again from the run's end: %v %v %v", next, ok, err)
	}
}

func seqLeave(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	a := createSeq(t, s, twoSteps("A"))
	b := createSeq(t, s, twoSteps("B"))
	enroll(t, s, seqs[0], t0)
	enroll(t, s, seqs[1], t0)
	left, err := s.LeaveSequences(seqs[0], func(q *herald.Sequence) bool { return q.ID == b.ID })
	if err != nil || !slices.Equal(left, []string{b.ID}) {
		t.Fatalf("left %v %v", left, err)
	}
	if left, err = s.LeaveSequences(seqs[0], nil); err != nil || !slices.Equal(left, []string{a.ID}) {
		t.Fatalf("left all %v %v", left, err)
	}
	wantCounts(t, s, a.ID, []int{1, 0}, 2, 0, 1)
	wantCounts(t, s, b.ID, []int{1, 0}, 2, 0, 1)
	// Someone in a step's run leaves only when it ends.
	if _, _, err := s.HandOutSteps(t0, 10, timing); err != nil {
		t.Fatal(err)
	}
	if left, err := s.LeaveSequences(seqs[1], nil); err != nil || len(left) != 0 {
		t.Fatalf("left while in a run %v %v", left, err)
	}
}

func seqPrune(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 3)
	q, bid := handOutWelcome(t, s, seqs)
	runID := finishRun(t, s, bid, t0)
	if n, err := s.PruneStepRuns(t0.Add(time.Hour)); err != nil || n != 0 {
		t.Fatalf("pruned a run whose people have not moved on: %d %v", n, err)
	}
	if err := s.AdvanceStepRun(runID, timing); err != nil {
		t.Fatal(err)
	}
	if n, err := s.PruneStepRuns(t0); err != nil || n != 0 {
		t.Fatalf("pruned a run that finished at the cutoff: %d %v", n, err)
	}
	if n, err := s.PruneStepRuns(t0.Add(time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d %v", n, err)
	}
	if _, err := s.Run(runID); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("pruned run: %v", err)
	}
	b, err := s.Broadcast(q.Steps[0].BroadcastID)
	if err != nil || b.Step == nil || b.Step.Pruned.Sent != 3 {
		t.Fatalf("the step's totals %+v %v", b.Step, err)
	}
	wantCounts(t, s, q.ID, []int{0, 3}, 3, 0, 0)
}

func seqTakeEvent(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 0)
	for i, want := range []bool{true, false} {
		got, err := s.TakeEvent("evt-1", t0)
		if err != nil || got != want {
			t.Fatalf("take %d: %v %v", i, got, err)
		}
	}
	if got, err := s.TakeEvent("evt-2", t0); err != nil || !got {
		t.Fatalf("another event: %v %v", got, err)
	}
}
