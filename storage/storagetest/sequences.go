package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// Sequences is the contract of storage.SequenceStore: sequences and their
// step broadcasts, enrollment, the hand-out of due steps, moving on after
// a step run, leaving, retention, API events and the sequence notes.
func Sequences(t *testing.T, o Opener) {
	t.Run("CreateMakesAHiddenBroadcastPerStep", func(t *testing.T) { seqCreate(t, o) })
	t.Run("UpdateFollowsTheSteps", func(t *testing.T) { seqUpdate(t, o) })
	t.Run("RemovingAStepFinishesThoseWaitingForIt", func(t *testing.T) { seqRemoveStep(t, o) })
	t.Run("DeleteTakesPeopleAndStepsButNotWhileSending", func(t *testing.T) { seqDelete(t, o) })
	t.Run("EnrollOnceUntilTheyLeave", func(t *testing.T) { seqEnroll(t, o) })
	t.Run("PausedOrUnreachableOrOtherAccountTakesNobody", func(t *testing.T) { seqEnrollNot(t, o) })
	t.Run("HandOutThenAdvanceMovesPeopleOn", func(t *testing.T) { seqHandOut(t, o) })
	t.Run("HandOutSkipsThoseWhoMayNotStay", func(t *testing.T) { seqHandOutLeavers(t, o) })
	t.Run("AdvanceOfAnUnfinishedRunIsRefused", func(t *testing.T) { seqAdvanceUnfinished(t, o) })
	t.Run("ARunThatReachedNobodyGivesTheStepAgain", func(t *testing.T) { seqAdvancePending(t, o) })
	t.Run("LeaveTakesOutThoseWaiting", func(t *testing.T) { seqLeave(t, o) })
	t.Run("RetentionKeepsTheStepTotals", func(t *testing.T) { seqPrune(t, o) })
	t.Run("AnEventIsTakenOnce", func(t *testing.T) { seqTakeEvent(t, o) })
	t.Run("NotesAreKeptOnlyWhileASequenceExists", func(t *testing.T) { seqNotesNone(t, o) })
	t.Run("ATagAddedEnrollsAndAnExitTagTakesOut", func(t *testing.T) { seqNotesTags(t, o) })
	t.Run("UnsubscribingLeavesEverySequence", func(t *testing.T) { seqNotesLeave(t, o) })
	t.Run("AnImportedPersonIsNotEnrolledByTheTagsOfTheImport", func(t *testing.T) { seqNotesImported(t, o) })
	t.Run("NotesOutliveARestart", func(t *testing.T) { seqNotesRestart(t, o) })
	t.Run("ApplyTakesNotesInOrderUpToTheLimit", func(t *testing.T) { seqNotesLimit(t, o) })
	t.Run("ATapOnAnyBroadcastOfAnABTestCounts", func(t *testing.T) { seqTapABTest(t, o) })
	t.Run("AFollowAndATapAreNotedWithTheirEvents", func(t *testing.T) { seqNotesInbound(t, o) })
}

// t0 is the contract's clock: Monday 2026-11-23 09:00 UTC.
var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// delayTiming is a step's due time with no zones or quiet hours: its
// delay after from.
type delayTiming struct{}

func (delayTiming) Due(q *herald.Sequence, step int, _ *herald.Subscriber, from time.Time) time.Time {
	return from.Add(q.Steps[step].Delay)
}

func (delayTiming) NotBefore(*herald.Subscriber, time.Time) time.Time { return time.Time{} }

var timing delayTiming

// openSeq opens a store on the clock t0 with n LINE users, and returns
// their Seqs.
func openSeq(t *testing.T, o Opener, n int) (storage.Backend, []uint32) {
	t.Helper()
	s := o.Open(t, func() time.Time { return t0 })
	return s, lineUsers(t, s, 0, n)
}

// lineUsers adds LINE users from..from+n-1 and returns their Seqs.
func lineUsers(t *testing.T, s storage.Backend, from, n int) []uint32 {
	t.Helper()
	if n == 0 {
		return nil
	}
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.LINE, ID: lineID(from + i), Kind: herald.KindUser, State: herald.Subscribed}
	}
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	seqs := make([]uint32, n)
	for i := range subs {
		sub, err := s.Subscriber(subs[i].Key())
		if err != nil {
			t.Fatal(err)
		}
		seqs[i] = sub.Seq
	}
	return seqs
}

func lineID(i int) string { return fmt.Sprintf("U%032d", i) }

func lineKey(i int) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: herald.LINE, ID: lineID(i)}
}

// twoSteps is a sequence started by the API event "go": "one" at once,
// "two" a day later.
func twoSteps(name string) herald.Sequence {
	return herald.Sequence{Name: name, CreatedBy: "admin",
		Trigger: herald.Trigger{Kind: herald.TriggerEvent, Event: "go"},
		Steps: []herald.Step{
			{Content: herald.Content{Kind: herald.TextContent, Text: "one"}},
			{Delay: 24 * time.Hour, Content: herald.Content{Kind: herald.TextContent, Text: "two"}}}}
}

func createSeq(t *testing.T, s storage.Backend, q herald.Sequence) herald.Sequence {
	t.Helper()
	if err := s.CreateSequence(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

func mustSeq(t *testing.T, s storage.Backend, id string) herald.Sequence {
	t.Helper()
	q, err := s.Sequence(id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// wantCounts checks where the people of sequence id are.
func wantCounts(t *testing.T, s storage.Backend, id string, waiting []int, enrolled, finished, left int) {
	t.Helper()
	c := mustSeq(t, s, id).Counts
	if !slices.Equal(c.Waiting, waiting) || c.Enrolled != enrolled || c.Finished != finished || c.Left != left {
		t.Fatalf("counts %+v, want waiting %v enrolled %d finished %d left %d", c, waiting, enrolled, finished, left)
	}
}

func enroll(t *testing.T, s storage.Backend, seq uint32, at time.Time) []string {
	t.Helper()
	in, err := s.EnrollMatching(herald.TriggerEvent, "go", seq, at, timing)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// finishRun records every pending recipient of broadcast bid's last run
// as sent at at and ends the run at at, as the dispatcher would; it
// returns the run's ID.
func finishRun(t *testing.T, s storage.Backend, bid string, at time.Time) string {
	t.Helper()
	runs, err := s.RunsOf(bid)
	if err != nil || len(runs) == 0 {
		t.Fatal(runs, err)
	}
	id := runs[len(runs)-1].ID
	ds, err := s.Deliveries(id, herald.Pending, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds {
		ds[i].Outcome, ds[i].At = herald.Sent, at
	}
	if err := s.RecordOutcomes(id, ds); err != nil {
		t.Fatal(err)
	}
	endRun(t, s, id, at)
	return id
}

func endRun(t *testing.T, s storage.Backend, id string, at time.Time) {
	t.Helper()
	if _, err := s.UpdateRun(id, func(r *herald.Run) error {
		r.Status, r.FinishedAt = herald.RunCompleted, at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateBroadcast(runBroadcast(t, s, id), func(b *herald.Broadcast) error {
		b.Status = herald.StatusScheduled
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// handOutWelcome enrolls seqs at t0 in a new two-step sequence,
// "Welcome", and hands their first step out; it returns the sequence and
// the step's broadcast ID.
func handOutWelcome(t *testing.T, s storage.Backend, seqs []uint32) (herald.Sequence, string) {
	t.Helper()
	q := createSeq(t, s, twoSteps("Welcome"))
	for _, seq := range seqs {
		enroll(t, s, seq, t0)
	}
	bids, n, err := s.HandOutSteps(t0, 10, timing)
	if err != nil || n != len(seqs) || len(bids) != 1 {
		t.Fatalf("handed out %v %d %v", bids, n, err)
	}
	return q, bids[0]
}

func runBroadcast(t *testing.T, s storage.Backend, runID string) string {
	t.Helper()
	r, err := s.Run(runID)
	if err != nil {
		t.Fatal(err)
	}
	return r.BroadcastID
}

func seqCreate(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 0)
	a := createSeq(t, s, twoSteps("Welcome"))
	if a.ID == "" || !a.CreatedAt.Equal(t0) || len(a.Counts.Waiting) != 2 {
		t.Fatalf("created %+v", a)
	}
	for i, st := range a.Steps {
		b, err := s.Broadcast(st.BroadcastID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Step == nil || b.Step.Sequence != a.ID || b.Step.Index != i || b.Status != herald.StatusScheduled ||
			b.Content.Text != st.Content.Text || b.Origin.Frontend != herald.SequenceFrontend {
			t.Fatalf("step %d broadcast %+v", i, b)
		}
	}
	b := twoSteps("Later")
	b.ID = "Q-LATE"
	createSeq(t, s, b)
	dup := twoSteps("Again")
	dup.ID = "Q-LATE"
	if err := s.CreateSequence(&dup); !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("a second Q-LATE: %v", err)
	}
	// Made at the same time: in ID order.
	want := []string{a.ID, "Q-LATE"}
	slices.Sort(want)
	all, err := s.Sequences()
	if err != nil || len(all) != 2 || all[0].ID != want[0] || all[1].ID != want[1] {
		t.Fatalf("sequences %+v %v", all, err)
	}
	if got := mustSeq(t, s, a.ID); got.Name != "Welcome" || got.Steps[1].Delay != 24*time.Hour || !got.CreatedAt.Equal(t0) {
		t.Fatalf("read back %+v", got)
	}
	if _, err := s.Sequence("Q-NONE"); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("unknown sequence: %v", err)
	}
}

func seqUpdate(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 0)
	q := createSeq(t, s, twoSteps("Welcome"))
	got, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error {
		u.Name, u.ID, u.Counts.Enrolled = "Hello", "Q-MOVED", 99
		u.Steps[0].Content.Text = "first"
		u.Steps = append(u.Steps, herald.Step{Delay: time.Hour, Content: herald.Content{Kind: herald.TextContent, Text: "three"}})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != q.ID || got.Name != "Hello" || got.Counts.Enrolled != 0 || len(got.Counts.Waiting) != 3 ||
		got.Steps[0].BroadcastID != q.Steps[0].BroadcastID || got.Steps[2].BroadcastID == "" {
		t.Fatalf("updated %+v", got)
	}
	for i, want := range []string{"first", "two", "three"} {
		b, err := s.Broadcast(got.Steps[i].BroadcastID)
		if err != nil || b.Content.Text != want || b.Step == nil || b.Step.Index != i {
			t.Fatalf("step %d broadcast %+v %v", i, b, err)
		}
	}
	stop := errors.New("changed my mind")
	if _, err := s.UpdateSequence(q.ID, func(u *herald.Sequence) error {
		u.Name = "Never"
		u.Steps = u.Steps[:1]
		return stop
	}); !errors.Is(err, stop) {
		t.Fatalf("fn's error: %v", err)
	}
	if after := mustSeq(t, s, q.ID); after.Name != "Hello" || len(after.Steps) != 3 {
		t.Fatalf("a failed update changed %+v", after)
	}
	if _, err := s.Broadcast(got.Steps[2].BroadcastID); err != nil {
		t.Fatalf("a failed update dropped a step: %v", err)
	}
	if _, err := s.UpdateSequence("Q-NONE", func(*herald.Sequence) error { return nil }); !errors.Is(err, herald.ErrNotFound) {
		t.Fatalf("unknown: %v", err)
	}
}
