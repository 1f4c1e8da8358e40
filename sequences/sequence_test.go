package sequences_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

var signup = herald.Trigger{Kind: herald.TriggerEvent, Event: "signup"}

// contains reports whether the deliveries' content mentions each text, in
// order.
func got(r *rig, i int, want ...string) bool {
	texts := r.texts(i)
	if len(texts) != len(want) {
		return false
	}
	for j := range want {
		if !strings.Contains(texts[j], want[j]) {
			return false
		}
	}
	return true
}

func TestStepsGoOutAfterTheirDelays(t *testing.T) {
	r := newRig(t, 10, 3)
	q := r.create(signup, text(0, "", "Welcome!"), text(24*time.Hour, "", "Day two"))
	if entered := r.event("e1", "signup", 0); !slices.Equal(entered, []string{q.ID}) {
		t.Fatalf("entered %v, want [%s]", entered, q.ID)
	}
	r.event("e2", "signup", 1)
	if n := r.tick(); n != 2 {
		t.Fatalf("handed out %d, want 2", n)
	}
	if !got(r, 0, "Welcome!") || !got(r, 1, "Welcome!") || !got(r, 2) {
		t.Fatalf("after the first step: %q %q %q", r.texts(0), r.texts(1), r.texts(2))
	}
	r.clock.Add(23 * time.Hour)
	if n := r.tick(); n != 0 {
		t.Fatalf("a day's step went out after 23 hours (%d)", n)
	}
	r.clock.Add(time.Hour)
	r.tick()
	if !got(r, 0, "Welcome!", "Day two") || !got(r, 1, "Welcome!", "Day two") {
		t.Fatalf("after the second step: %q %q", r.texts(0), r.texts(1))
	}
	q = r.sequence(q.ID)
	if q.Counts.Finished != 2 || q.Counts.WaitingAt(0) != 0 || q.Counts.WaitingAt(1) != 0 {
		t.Fatalf("counts %+v, want 2 finished and nobody waiting", q.Counts)
	}
	stats, err := r.svc.Stats(&q)
	if err != nil {
		t.Fatal(err)
	}
	want := []herald.StepStats{{Step: 1, Sent: 2}, {Step: 2, Sent: 2}}
	if !slices.Equal(stats, want) {
		t.Fatalf("stats %+v, want %+v", stats, want)
	}
}

func TestStepAtTimeOfDayInTheirZone(t *testing.T) {
	r := newRig(t, 10, 1)
	if _, err := r.st.UpdateSubscriber(r.subs[0].Key(), func(s *herald.Subscriber, _ bool) error {
		s.Timezone = "Asia/Tokyo" // UTC+9: 10:00 there is 01:00 UTC
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.create(signup, text(24*time.Hour, "10:00", "Good morning"))
	r.event("e1", "signup", 0)
	// Enrolled Mon 10:00 UTC (19:00 Tokyo); a day later is Tue 19:00
	// Tokyo, so the first 10:00 after it is Wed 10:00 Tokyo = Wed 01:00 UTC.
	r.clock.Set(time.Date(2026, 11, 25, 0, 59, 0, 0, time.UTC))
	if n := r.tick(); n != 0 {
		t.Fatal("sent before 10:00 their time")
	}
	r.clock.Set(time.Date(2026, 11, 25, 1, 0, 0, 0, time.UTC))
	r.tick()
	if !got(r, 0, "Good morning") {
		t.Fatalf("got %q", r.texts(0))
	}
}

func TestStepDueInQuietHoursWaitsForTheirEnd(t *testing.T) {
	r := newRig(t, 21, 1)
	r.create(signup, text(0, "", "Hello"), text(2*time.Hour, "", "Two hours later"))
	r.event("e1", "signup", 0)
	r.tick() // 21:00: the first step goes
	r.clock.Set(time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC))
	if n := r.tick(); n != 0 || !got(r, 0, "Hello") {
		t.Fatalf("at 23:30, inside quiet hours: handed out %d, got %q", n, r.texts(0))
	}
	r.clock.Set(time.Date(2026, 11, 24, 7, 59, 0, 0, time.UTC))
	if n := r.tick(); n != 0 {
		t.Fatal("sent before quiet hours ended")
	}
	r.clock.Set(time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC))
	r.tick()
	if !got(r, 0, "Hello", "Two hours later") {
		t.Fatalf("at 08:00: got %q", r.texts(0))
	}
}

func TestUnsubscribedMidSequenceGetsNothingMore(t *testing.T) {
	r := newRig(t, 10, 2)
	q := r.create(signup, text(0, "", "One"), text(time.Hour, "", "Two"), text(time.Hour, "", "Three"))
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	r.tick()
	if _, err := r.st.UpdateSubscriber(r.subs[0].Key(), func(s *herald.Subscriber, _ bool) error {
		s.State = herald.Unsubscribed
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		r.clock.Add(time.Hour)
		r.tick()
	}
	if !got(r, 0, "One") || !got(r, 1, "One", "Two", "Three") {
		t.Fatalf("got %q and %q", r.texts(0), r.texts(1))
	}
	if c := r.sequence(q.ID).Counts; c.Left != 1 || c.Finished != 1 {
		t.Fatalf("counts %+v, want 1 left and 1 finished", c)
	}
}

func TestLeavingOnUnsubscribeOrExitTagIsCountedAtOnce(t *testing.T) {
	r := newRig(t, 10, 2)
	q := herald.Sequence{Name: "Trial", Trigger: signup, ExitTags: []string{"customer"},
		Steps: []herald.Step{text(time.Hour, "", "Try it"), text(time.Hour, "", "Buy it")}}
	ctx := context.Background()
	if err := r.svc.Create(ctx, "api:test", &q); err != nil {
		t.Fatal(err)
	}
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	r.update(0, func(s *herald.Subscriber) { s.State = herald.Unsubscribed })
	r.update(1, func(s *herald.Subscriber) { s.AddTags("customer") })
	if err := r.svc.ApplyNotes(); err != nil {
		t.Fatal(err)
	}
	if c := r.sequence(q.ID).Counts; c.Left != 2 || c.WaitingAt(0) != 0 {
		t.Fatalf("counts %+v, want 2 left and nobody waiting", c)
	}
	r.clock.Add(time.Hour)
	if n := r.tick(); n != 0 || !got(r, 0) || !got(r, 1) {
		t.Fatalf("handed out %d to people who left", n)
	}
}

func TestExitTagTakesAPersonOut(t *testing.T) {
	r := newRig(t, 10, 1)
	q := herald.Sequence{Name: "Trial", Trigger: signup, ExitTags: []string{"customer"},
		Steps: []herald.Step{text(0, "", "Try it"), text(time.Hour, "", "Buy it")}}
	if err := r.svc.Create(context.Background(), "api:test", &q); err != nil {
		t.Fatal(err)
	}
	r.event("e1", "signup", 0)
	r.tick()
	if _, err := r.st.UpdateSubscriber(r.subs[0].Key(), func(s *herald.Subscriber, _ bool) error {
		s.Tags = []string{"customer"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(time.Hour)
	r.tick()
	if !got(r, 0, "Try it") {
		t.Fatalf("got %q", r.texts(0))
	}
}

func TestRestartBetweenTwoStepsNeitherSkipsNorRepeats(t *testing.T) {
	r := newRig(t, 10, 3)
	r.create(signup, text(0, "", "First"), text(time.Hour, "", "Second"))
	for i := range 3 {
		r.event("e"+string(rune('a'+i)), "signup", i)
	}
	r.tick()
	r.restart()
	r.clock.Add(time.Hour)
	r.tick()
	for i := range 3 {
		if !got(r, i, "First", "Second") {
			t.Fatalf("user %d got %q", i, r.texts(i))
		}
	}
}

func TestRestartAfterHandOutBeforeSendingResumesTheRun(t *testing.T) {
	r := newRig(t, 10, 2)
	r.create(signup, text(0, "", "First"), text(time.Hour, "", "Second"))
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	// The hand-out is stored, but the process stops before the run starts.
	bids, n, err := r.st.HandOutSteps(r.clock.Now(), 100, r.timing())
	if err != nil || n != 2 || len(bids) != 1 {
		t.Fatalf("hand out: %v %d %v", bids, n, err)
	}
	r.restart()
	if !got(r, 0, "First") || !got(r, 1, "First") {
		t.Fatalf("after the restart: %q %q", r.texts(0), r.texts(1))
	}
	r.restart() // the run ended; nothing goes again
	r.clock.Add(time.Hour)
	r.tick()
	if !got(r, 0, "First", "Second") || !got(r, 1, "First", "Second") {
		t.Fatalf("got %q %q", r.texts(0), r.texts(1))
	}
}

func TestPausedSequenceWaitsAndTakesNobody(t *testing.T) {
	r := newRig(t, 10, 2)
	q := r.create(signup, text(time.Hour, "", "Later"))
	r.event("e1", "signup", 0)
	ctx := context.Background()
	if _, changed, err := r.svc.SetPaused(ctx, "api:test", q.ID, true); err != nil || !changed {
		t.Fatalf("pause: %v %v", changed, err)
	}
	if entered := r.event("e2", "signup", 1); len(entered) != 0 {
		t.Fatalf("a paused sequence took %v", entered)
	}
	r.clock.Add(2 * time.Hour)
	if n := r.tick(); n != 0 {
		t.Fatal("a paused sequence sent")
	}
	if _, _, err := r.svc.SetPaused(ctx, "api:test", q.ID, false); err != nil {
		t.Fatal(err)
	}
	r.tick()
	if !got(r, 0, "Later") || !got(r, 1) {
		t.Fatalf("after resume: %q %q", r.texts(0), r.texts(1))
	}
	log, err := r.st.AuditLog(q.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	slices.Sort(actions)
	if !slices.Equal(actions, []string{"sequence.create", "sequence.pause", "sequence.resume"}) {
		t.Fatalf("audit %v", actions)
	}
}

func TestAStepThatStoppedItselfResumesWithTheSequence(t *testing.T) {
	r := newRig(t, 10, 3)
	q := r.create(signup, text(0, "", "Hello"), text(time.Hour, "", "Later"))
	for i := range 3 {
		r.event("e"+string(rune('a'+i)), "signup", i)
	}
	r.line.Faults.FailNext(1, 500) // the multicast to all three fails
	r.tick()
	q = r.sequence(q.ID)
	stats, err := r.svc.Stats(&q)
	if err != nil || !stats[0].Stalled || stats[0].Failed == 0 {
		t.Fatalf("after the failed multicast: %+v %v", stats, err)
	}
	if n := r.tick(); n != 0 || q.Counts.WaitingAt(0) != 3 {
		t.Fatalf("a stalled step handed out %d more; counts %+v", n, q.Counts)
	}
	if _, changed, err := r.svc.SetPaused(context.Background(), "api:test", q.ID, false); err != nil || !changed {
		t.Fatalf("resume: %v %v", changed, err)
	}
	r.settle()
	q = r.sequence(q.ID)
	if stats, _ = r.svc.Stats(&q); stats[0].Stalled || q.Counts.WaitingAt(1) != 3 {
		t.Fatalf("after resuming: %+v, counts %+v", stats, q.Counts)
	}
}

func TestAStepHandedOutLateInQuietHoursWaitsForTheirMorning(t *testing.T) {
	r := newRig(t, 20, 1)
	r.create(signup, text(time.Hour, "", "Evening tip"))
	r.event("e1", "signup", 0) // due 21:00, outside quiet hours
	// The bot was down from before 21:00 until 23:30, inside quiet hours.
	r.clock.Set(time.Date(2026, 11, 23, 23, 30, 0, 0, time.UTC))
	if n := r.tick(); n != 1 {
		t.Fatalf("handed out %d, want the late step", n)
	}
	ds := r.rec.To("line", r.subs[0].ID)
	morning := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	if len(ds) != 1 || ds[0].At.Before(morning) {
		t.Fatalf("deliveries %+v, want one at 08:00 or later", ds)
	}
}
