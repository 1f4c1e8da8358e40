package sequences_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/storage/storagetest"
)

// follow records new LINE followers U-0…U-(n-1) of account through a real
// inbox whose follow-up pool holds one job: a burst far beyond it.
func (r *rig) follow(account string, n int) []herald.SubscriberKey {
	r.t.Helper()
	in := inbound.New(r.st, inbound.Options{Now: r.clock.Now, FollowupWorkers: 1, FollowupQueue: 1})
	keys := make([]herald.SubscriberKey, n)
	evs := make([]inbound.Event, n)
	for i := range evs {
		keys[i] = herald.SubscriberKey{Platform: herald.LINE, Account: account, ID: fmt.Sprintf("U-%s%d", account, i)}
		evs[i] = inbound.Event{Kind: inbound.Subscribe, Key: keys[i]}
	}
	if _, err := in.Record(context.Background(), evs...); err != nil {
		r.t.Fatal(err)
	}
	if err := in.Close(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	return keys
}

func (r *rig) sentTo(k herald.SubscriberKey) int { return len(r.rec.To("line", k.ID)) }

func TestABurstOfFollowsBeyondTheFollowUpPoolEnrollsEveryone(t *testing.T) {
	r := newRig(t, 10, 0)
	q := r.create(herald.Trigger{Kind: herald.TriggerFollow, Channel: herald.LINE}, text(0, "", "Welcome"))
	keys := r.follow("", 40)
	r.tick()
	for _, k := range keys {
		if n := r.sentTo(k); n != 1 {
			t.Fatalf("%s got %d welcomes, want 1", k, n)
		}
	}
	if c := r.sequence(q.ID).Counts; c.Enrolled != 40 || c.Finished != 40 {
		t.Fatalf("counts %+v, want 40 enrolled and finished", c)
	}
}

func TestARestartBetweenTheWebhookAndTheEnrollmentLosesNoOne(t *testing.T) {
	r := newRig(t, 10, 0)
	r.create(herald.Trigger{Kind: herald.TriggerFollow}, text(0, "", "Welcome"))
	keys := r.follow("", 5) // answered: durable, not yet enrolled
	r.restart()
	r.tick()
	r.tick() // applying twice enrolls nobody twice
	for _, k := range keys {
		if n := r.sentTo(k); n != 1 {
			t.Fatalf("%s got %d welcomes after the restart, want 1", k, n)
		}
	}
}

func TestAFollowTriggerNamesAnAccount(t *testing.T) {
	r := newRig(t, 10, 0)
	shop := r.create(herald.Trigger{Kind: herald.TriggerFollow, Channel: herald.LINE, Account: "shop"}, text(0, "", "Shop"))
	anyLINE := r.create(herald.Trigger{Kind: herald.TriggerFollow, Channel: herald.LINE}, text(0, "", "Any"))
	r.follow("shop", 1)
	r.follow("", 2)
	if err := r.svc.ApplyNotes(); err != nil {
		t.Fatal(err)
	}
	if c := r.sequence(shop.ID).Counts; c.Enrolled != 1 {
		t.Errorf("LINE · Shop's sequence enrolled %d, want its 1 follower", c.Enrolled)
	}
	if c := r.sequence(anyLINE.ID).Counts; c.Enrolled != 3 {
		t.Errorf("any LINE account's sequence enrolled %d, want 3", c.Enrolled)
	}
}

func TestAnImportedOrAPICreatedPersonIsNotANewSubscriber(t *testing.T) {
	r := newRig(t, 10, 0)
	q := r.create(herald.Trigger{Kind: herald.TriggerFollow}, text(0, "", "Welcome"))
	vip := r.create(herald.Trigger{Kind: herald.TriggerTag, Tag: "vip"}, text(0, "", "VIP"))
	subs := []herald.Subscriber{{Platform: herald.LINE, ID: "U-imported", Kind: herald.KindUser, Imported: true, Tags: []string{"vip"}}}
	if err := r.st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	r.tick()
	if n := r.sequence(q.ID).Counts.Enrolled + r.sequence(vip.ID).Counts.Enrolled; n != 0 {
		t.Fatalf("an imported contact entered %d sequences", n)
	}
}

func TestNoStepGoesOutAfterAnExitTagEvenOnceHandedOut(t *testing.T) {
	r := newRig(t, 10, 2)
	q := herald.Sequence{Name: "Trial", Trigger: signup, ExitTags: []string{"customer"},
		Steps: []herald.Step{text(0, "", "Try it"), text(0, "", "Buy it")}}
	if err := r.svc.Create(context.Background(), "api:test", &q); err != nil {
		t.Fatal(err)
	}
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	// The step run exists with both people in it, not yet sent…
	bids, n, err := r.st.HandOutSteps(r.clock.Now(), 100, r.timing())
	if err != nil || n != 2 {
		t.Fatalf("handed out %d (%v)", n, err)
	}
	// …when user 0 becomes a customer (a button, an import, the chat).
	r.update(0, func(s *herald.Subscriber) { s.AddTags("customer") })
	for _, bid := range bids {
		if _, err := r.eng.Start(context.Background(), bid); err != nil {
			t.Fatal(err)
		}
	}
	r.settle()
	r.tick()
	if !got(r, 0) || !got(r, 1, "Try it", "Buy it") {
		t.Fatalf("got %q and %q", r.texts(0), r.texts(1))
	}
	if c := r.sequence(q.ID).Counts; c.Left != 1 || c.Finished != 1 {
		t.Fatalf("counts %+v, want 1 left (the customer) and 1 finished", c)
	}
}

func TestRetentionDeletesOldStepRunsButKeepsTheStepTotals(t *testing.T) {
	r := newRig(t, 10, 2)
	q := r.create(signup, text(0, "", "Hi"))
	r.event("e1", "signup", 0)
	r.event("e2", "signup", 1)
	r.tick()
	r.clock.Add(100 * 24 * time.Hour)
	n, err := r.st.PruneStepRuns(r.clock.Now().Add(-90 * 24 * time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("pruned %d runs (%v), want the 1 step run", n, err)
	}
	if runs, err := r.st.RunsOf(q.Steps[0].BroadcastID); err != nil || len(runs) != 0 {
		t.Fatalf("runs left %v (%v)", runs, err)
	}
	r.event("e3", "signup", 0) // user 0 enters again: a new run after the pruned one
	r.tick()
	q = r.sequence(q.ID)
	stats, err := r.svc.Stats(&q)
	if err != nil || stats[0].Sent != 3 || stats[0].Failed != 0 {
		t.Fatalf("stats %+v (%v), want 3 sent: 2 pruned and 1 kept", stats, err)
	}
	if !got(r, 0, "Hi", "Hi") {
		t.Fatalf("user 0 got %q", r.texts(0))
	}
}

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
	return storagetest.ABTest(r.t, r.st)
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

func TestPeopleOfAnAccountTakenOffASequenceGetNoFurtherStep(t *testing.T) {
	r := newRig(t, 10, 1)
	q := r.create(signup, text(0, "", "Day 1"), text(24*time.Hour, "", "Day 2"))
	r.event("e1", "signup", 0) // LINE's top-level account
	r.tick()
	if _, err := r.svc.Update(context.Background(), "console:admin", q.ID, func(q *herald.Sequence) error {
		q.Accounts = []herald.Account{{Platform: herald.LINE, Name: "shop"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.clock.Add(24 * time.Hour)
	r.tick()
	if got := r.texts(0); len(got) != 1 {
		t.Errorf("got %q, want Day 1 alone", got)
	}
	if c := r.sequence(q.ID).Counts; c.Left != 1 || c.WaitingAt(1) != 0 {
		t.Errorf("counts %+v, want the one person left", c)
	}
}
