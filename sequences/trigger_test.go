package sequences_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

func TestEachTriggerEnrollsWhomItNames(t *testing.T) {
	r := newRig(t, 10, 2)
	ctx := context.Background()
	follow := r.create(herald.Trigger{Kind: herald.TriggerFollow, Channel: herald.Telegram}, text(0, "", "Follow"))
	lineFollow := r.create(herald.Trigger{Kind: herald.TriggerFollow}, text(0, "", "Any follow"))
	tag := r.create(herald.Trigger{Kind: herald.TriggerTag, Tag: "vip"}, text(0, "", "VIP"))
	tap := r.create(herald.Trigger{Kind: herald.TriggerTap, Broadcast: "B-TAPS", Button: "b2"}, text(0, "", "Tapped"))
	key := r.subs[0].Key()
	for _, c := range []struct {
		kind   herald.TriggerKind
		detail string
		want   []string
	}{
		{herald.TriggerFollow, "line", []string{lineFollow.ID}}, // not the Telegram-only one
		{herald.TriggerTag, "gold", nil},
		{herald.TriggerTap, "B-TAPS\x00b1", nil}, // another button
		{herald.TriggerTap, "B-TAPS\x00b2", []string{tap.ID}},
	} {
		got, err := r.svc.Trigger(ctx, c.kind, c.detail, key)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s %q entered %v (%v), want %v", c.kind, c.detail, got, err, c.want)
		}
	}
	r.update(0, func(s *herald.Subscriber) { s.AddTags("a") })
	r.update(0, func(s *herald.Subscriber) { s.AddTags("a", "vip") }) // only vip is new
	if err := r.svc.ApplyNotes(); err != nil {
		t.Fatal(err)
	}
	r.tick()
	texts := r.texts(0) // three step runs, in any order
	slices.Sort(texts)
	want := []string{`[{"text":"Any follow","type":"text"}]`, `[{"text":"Tapped","type":"text"}]`, `[{"text":"VIP","type":"text"}]`}
	if !slices.Equal(texts, want) {
		t.Errorf("got %q, want %q", texts, want)
	}
	if c := r.sequence(follow.ID).Counts; c.Enrolled != 0 {
		t.Errorf("the Telegram follow sequence enrolled %d", c.Enrolled)
	}
	if c := r.sequence(tag.ID).Counts; c.Finished != 1 {
		t.Errorf("tag sequence counts %+v", c)
	}
}

func TestAPersonInASequenceIsNotEnrolledTwiceButMayComeBackAfter(t *testing.T) {
	r := newRig(t, 10, 1)
	q := r.create(signup, text(0, "", "Hi"), text(time.Hour, "", "Bye"))
	if got := r.event("e1", "signup", 0); len(got) != 1 {
		t.Fatalf("first event entered %v", got)
	}
	if got := r.event("e2", "signup", 0); len(got) != 0 {
		t.Fatalf("an event while in the sequence entered %v", got)
	}
	if got, first, err := r.svc.Event(context.Background(), "e1", "signup", r.subs[0].Key()); err != nil || first || len(got) != 0 {
		t.Fatalf("a repeated event ID: %v %v %v", got, first, err)
	}
	r.tick()
	r.clock.Add(time.Hour)
	r.tick()
	if got := r.event("e3", "signup", 0); len(got) != 1 {
		t.Fatalf("after finishing, an event entered %v", got)
	}
	r.tick()
	if !got(r, 0, "Hi", "Bye", "Hi") {
		t.Fatalf("got %q", r.texts(0))
	}
	if c := r.sequence(q.ID).Counts; c.Enrolled != 2 || c.Finished != 1 || c.WaitingAt(1) != 1 {
		t.Fatalf("counts %+v", c)
	}
}

func TestRemovingAStepFinishesThoseWaitingForIt(t *testing.T) {
	r := newRig(t, 10, 1)
	q := r.create(signup, text(0, "", "Hi"), text(time.Hour, "", "Bye"))
	r.event("e1", "signup", 0)
	r.tick()
	_, err := r.svc.Update(context.Background(), "api:test", q.ID, func(q *herald.Sequence) error {
		q.Steps = q.Steps[:1]
		q.Steps[0].Content.Text = "Hello"
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Add(time.Hour)
	r.tick()
	q = r.sequence(q.ID)
	if !got(r, 0, "Hi") || q.Counts.Finished != 1 || len(q.Counts.Waiting) != 1 {
		t.Fatalf("got %q, counts %+v", r.texts(0), q.Counts)
	}
	b, err := r.st.Broadcast(q.Steps[0].BroadcastID)
	if err != nil || b.Content.Text != "Hello" {
		t.Fatalf("step broadcast %+v %v", b.Content, err)
	}
}

func TestStepStatsCountTapsOnTheStepsButtons(t *testing.T) {
	r := newRig(t, 10, 2)
	st := text(0, "", "Pick one")
	st.Content.Buttons = []herald.Button{{ID: "b1", Label: "Yes", Kind: herald.ActionButton}}
	q := r.create(signup, st)
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	r.tick()
	q = r.sequence(q.ID)
	bid := q.Steps[0].BroadcastID
	taps := []herald.Tap{{BroadcastID: bid, ButtonID: "b1", Subscriber: r.subs[0].Key(), At: r.clock.Now()},
		{BroadcastID: bid, ButtonID: "b1", Subscriber: r.subs[0].Key(), At: r.clock.Now()}} // twice: one person
	if err := r.st.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	stats, err := r.svc.Stats(&q)
	if err != nil || stats[0].Sent != 2 || stats[0].Tapped != 1 {
		t.Fatalf("stats %+v %v, want 2 sent and 1 tapped", stats, err)
	}
}
