package storagetest

import (
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// tagSeq is a sequence started by the tag tag.
func tagSeq(name, tag string) herald.Sequence {
	q := twoSteps(name)
	q.Trigger = herald.Trigger{Kind: herald.TriggerTag, Tag: tag}
	return q
}

func addTag(t *testing.T, s storage.Backend, i int, tag string) {
	t.Helper()
	if _, err := s.UpdateSubscriber(lineKey(i), func(sub *herald.Subscriber, _ bool) error {
		sub.Tags = append(sub.Tags, tag)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func setState(t *testing.T, s storage.Backend, i int, state herald.SubscriberState) {
	t.Helper()
	if _, err := s.UpdateSubscriber(lineKey(i), func(sub *herald.Subscriber, _ bool) error {
		sub.State = state
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// wantApplied applies up to limit sequence notes and fails t unless that
// applied want of them; what says which notes (for the failure).
func wantApplied(t *testing.T, s storage.Backend, limit, want int, what string) {
	t.Helper()
	n, err := s.ApplySequenceNotes(t0, limit, timing)
	if err != nil {
		t.Fatal(err)
	}
	if n != want {
		t.Fatalf("applied %d notes, want %d (%s)", n, want, what)
	}
}

// kicks counts the calls of the store's notes hook.
func kicks(s storage.Backend) *atomic.Int32 {
	var n atomic.Int32
	s.OnSequenceNotes(func() { n.Add(1) })
	return &n
}

func seqNotesNone(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 1)
	k := kicks(s)
	addTag(t, s, 0, "vip")
	if k.Load() != 0 {
		t.Fatal("the hook was called with no sequence")
	}
	q := createSeq(t, s, tagSeq("VIP", "vip"))
	wantApplied(t, s, 100, 0, "written before any sequence")
	wantCounts(t, s, q.ID, []int{0, 0}, 0, 0, 0)
}

func seqNotesTags(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 2)
	vip := createSeq(t, s, tagSeq("VIP", "vip"))
	ev := twoSteps("Until VIP")
	ev.ExitTags = []string{"vip"}
	ev = createSeq(t, s, ev)
	enroll(t, s, seqs[0], t0)
	k := kicks(s)
	addTag(t, s, 0, "vip")
	if k.Load() != 1 {
		t.Fatalf("the hook was called %d times, want once", k.Load())
	}
	addTag(t, s, 0, "vip") // had it: nothing new
	wantApplied(t, s, 100, 1, "the new tag")
	wantCounts(t, s, vip.ID, []int{1, 0}, 1, 0, 0)
	wantCounts(t, s, ev.ID, []int{0, 0}, 1, 0, 1)
	wantApplied(t, s, 100, 0, "applied already")
}

func seqNotesLeave(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 1)
	a := createSeq(t, s, twoSteps("A"))
	b := createSeq(t, s, twoSteps("B"))
	enroll(t, s, seqs[0], t0)
	setState(t, s, 0, herald.Unsubscribed)
	wantApplied(t, s, 100, 1, "the unsubscribe")
	for _, q := range []herald.Sequence{a, b} {
		wantCounts(t, s, q.ID, []int{0, 0}, 1, 0, 1)
	}
}

func seqNotesImported(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 0)
	q := createSeq(t, s, tagSeq("VIP", "vip"))
	if err := s.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: lineID(0), Kind: herald.KindUser,
		State: herald.Subscribed, Tags: []string{"vip"}, Imported: true}}); err != nil {
		t.Fatal(err)
	}
	wantApplied(t, s, 100, 0, "an import's tags")
	if err := s.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: lineID(1), Kind: herald.KindUser,
		State: herald.Subscribed, Tags: []string{"vip"}}}); err != nil {
		t.Fatal(err)
	}
	wantApplied(t, s, 100, 1, "a new tagged person")
	wantCounts(t, s, q.ID, []int{1, 0}, 1, 0, 0)
}

func seqNotesRestart(t *testing.T, o Opener) {
	if o.Reopen == nil {
		t.Skip("the backend cannot reopen")
	}
	s, _ := openSeq(t, o, 1)
	q := createSeq(t, s, tagSeq("VIP", "vip"))
	addTag(t, s, 0, "vip")
	s = o.Reopen(t, s, func() time.Time { return t0 })
	wantApplied(t, s, 100, 1, "after a restart")
	wantCounts(t, s, q.ID, []int{1, 0}, 1, 0, 0)
}

func seqNotesLimit(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 3)
	q := createSeq(t, s, tagSeq("VIP", "vip"))
	for i := range seqs {
		addTag(t, s, i, "vip")
	}
	wantApplied(t, s, 2, 2, "the limit")
	wantCounts(t, s, q.ID, []int{2, 0}, 2, 0, 0)
	// Oldest first: the first two are in, the third is not yet.
	for i, want := range []int{0, 0, 1} {
		in, err := s.EnrollMatching(herald.TriggerTag, "vip", seqs[i], t0, timing)
		if err != nil || len(in) != want {
			t.Fatalf("person %d entered %v %v", i, in, err)
		}
	}
	wantApplied(t, s, 2, 1, "the rest")
	wantCounts(t, s, q.ID, []int{3, 0}, 3, 0, 0)
	wantApplied(t, s, 2, 0, "none left")
}

func seqTapABTest(t *testing.T, o Opener) {
	s, seqs := openSeq(t, o, 3)
	a, b, rest := ABTest(t, s)
	q := twoSteps("Thanks")
	q.Trigger = herald.Trigger{Kind: herald.TriggerTap, Broadcast: a, Button: "yes"}
	q = createSeq(t, s, q)
	for i, tapped := range []string{a, b, rest} {
		in, err := s.EnrollMatching(herald.TriggerTap, tapped+"\x00yes", seqs[i], t0, timing)
		if err != nil || !slices.Equal(in, []string{q.ID}) {
			t.Fatalf("a tap on %s entered %v %v", tapped, in, err)
		}
	}
	if in, err := s.EnrollMatching(herald.TriggerTap, "B-OTHER\x00yes", seqs[0], t0, timing); err != nil || len(in) != 0 {
		t.Fatalf("a tap elsewhere entered %v %v", in, err)
	}
}

func seqNotesInbound(t *testing.T, o Opener) {
	s, _ := openSeq(t, o, 1)
	follow := twoSteps("Welcome")
	follow.Trigger = herald.Trigger{Kind: herald.TriggerFollow, Channel: herald.LINE}
	follow = createSeq(t, s, follow)
	tap := twoSteps("Thanks")
	tap.Trigger = herald.Trigger{Kind: herald.TriggerTap, Broadcast: "B-SALE", Button: "yes"}
	tap = createSeq(t, s, tap)
	k := kicks(s)
	user := func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; return nil }
	// A new follower, and a tap by someone already known.
	newcomer := herald.SubscriberKey{Platform: herald.LINE, ID: "U-NEW"}
	keys := []herald.SubscriberKey{newcomer, lineKey(0)}
	taps := []herald.Tap{{}, {BroadcastID: "B-SALE", ButtonID: "yes", Subscriber: lineKey(0)}}
	if _, err := s.RecordInbound([]string{"e1", "e2"}, keys, taps, user); err != nil {
		t.Fatal(err)
	}
	if k.Load() != 1 {
		t.Fatalf("the hook was called %d times, want once", k.Load())
	}
	wantApplied(t, s, 100, 2, "the follow and the tap")
	wantCounts(t, s, follow.ID, []int{1, 0}, 1, 0, 0)
	wantCounts(t, s, tap.ID, []int{1, 0}, 1, 0, 0)
	// A group is no follower; a repeat of an event notes nothing.
	group := func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindGroup; return nil }
	if _, err := s.RecordInbound([]string{"e3"}, []herald.SubscriberKey{{Platform: herald.LINE, ID: "C-GROUP"}}, []herald.Tap{{}}, group); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordInbound([]string{"e2"}, keys[1:], taps[1:], user); err != nil {
		t.Fatal(err)
	}
	wantApplied(t, s, 100, 0, "a group and a repeat")
}

// ABTest stores a finished A/B test of two variants, each with a "yes"
// button: its own broadcast (A), variant B and the rest (★B, sent B).
func ABTest(t testing.TB, s interface{ CreateBroadcast(*herald.Broadcast) error }) (a, b, rest string) {
	t.Helper()
	a, b, rest = "B-TESTA", "B-VARB", "B-REST"
	content := func(s string) herald.Content {
		return herald.Content{Kind: herald.TextContent, Text: s, Buttons: []herald.Button{{ID: "yes", Label: "Yes", Kind: herald.ActionButton}}}
	}
	aud := herald.Audience{Channels: []herald.Platform{herald.LINE}}
	for _, bc := range []herald.Broadcast{
		{ID: a, Name: "Sale", Audience: aud, Content: content("A"), Status: herald.StatusCompleted,
			Test: &herald.ABTest{Variants: []herald.Content{content("B")}, Percent: 10, Children: []string{b}, Winner: 2, Rest: rest, Done: true}},
		{ID: b, Name: "Sale · B", Audience: aud, Content: content("B"), Status: herald.StatusCompleted, ABPart: &herald.ABPart{Test: a, Variant: 2}},
		{ID: rest, Name: "Sale · ★B", Audience: aud, Content: content("B"), Status: herald.StatusCompleted, ABPart: &herald.ABPart{Test: a, Variant: 2, Rest: true}},
	} {
		if err := s.CreateBroadcast(&bc); err != nil {
			t.Fatal(err)
		}
	}
	return a, b, rest
}
