package sequences_test

import (
	"context"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
)

func TestASequenceOfOneAccountTakesInAndSendsToItsPeopleAlone(t *testing.T) {
	r := newRig(t, 10, 0)
	q := herald.Sequence{Name: "Shop welcome", Trigger: herald.Trigger{Kind: herald.TriggerFollow},
		Steps: []herald.Step{text(0, "", "Welcome to the shop")}, Accounts: []herald.Account{{Platform: herald.LINE, Name: "shop"}}}
	if err := r.svc.Create(context.Background(), "console:admin", &q); err != nil {
		t.Fatal(err)
	}
	r.follow("shop", 2) // this rig has no sender for LINE · Shop: counted, not sent
	main := r.follow("", 3)
	r.tick()
	for _, k := range main {
		if n := r.sentTo(k); n != 0 {
			t.Errorf("LINE · Main's follower %s got %d of the shop's welcomes, want none", k, n)
		}
	}
	if c := r.sequence(q.ID).Counts; c.Enrolled != 2 {
		t.Errorf("counts %+v, want the shop's 2 enrolled", c)
	}
}

// abTest stores an A/B test's broadcasts as the broadcasts service leaves
// them once decided: A (the test), variant B and the rest, each with a
// "yes" button.
func (r *rig) abTest() (a, b, rest string) {
	r.t.Helper()
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
		if err := r.st.CreateBroadcast(&bc); err != nil {
			r.t.Fatal(err)
		}
	}
	return a, b, rest
}

// tap records user i's tap on broadcast id's "yes" through a real inbox.
func (r *rig) tap(i int, id string) {
	r.t.Helper()
	in := inbound.New(r.st, inbound.Options{Now: r.clock.Now})
	ev := inbound.Event{Kind: inbound.Tap, Key: r.subs[i].Key(), Postback: herald.EncodePostback(id, "yes")}
	if _, err := in.Record(context.Background(), ev); err != nil {
		r.t.Fatal(err)
	}
	if err := in.Close(context.Background()); err != nil {
		r.t.Fatal(err)
	}
}

func TestATapOnAnyBroadcastOfAnABTestCountsForATriggerNamingAnyOfThem(t *testing.T) {
	r := newRig(t, 10, 4)
	a, b, rest := r.abTest()
	onA := r.create(herald.Trigger{Kind: herald.TriggerTap, Broadcast: a, Button: "yes"}, text(0, "", "Thanks"))
	onB := r.create(herald.Trigger{Kind: herald.TriggerTap, Broadcast: b}, text(0, "", "Thanks, B"))
	r.tap(0, a)
	r.tap(1, b)
	r.tap(2, rest)
	r.tick()
	for i, want := range []int{2, 2, 2, 0} { // user 3 tapped nothing
		if n := len(r.texts(i)); n != want {
			t.Errorf("user %d got %d thank-yous, want %d (one per sequence)", i, n, want)
		}
	}
	for _, q := range []herald.Sequence{onA, onB} {
		if c := r.sequence(q.ID).Counts; c.Enrolled != 3 {
			t.Errorf("%s (tap on %s) enrolled %d, want the 3 who tapped A, B or the rest", q.ID, q.Trigger.Broadcast, c.Enrolled)
		}
	}
}
