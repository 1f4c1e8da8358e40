package broadcasts_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/storage"
)

// abRig is a real database with 400 LINE users, the LINE fake, the real
// dispatcher, the service and a scheduler that can be restarted, all on
// one test clock; events go to the scheduler and are kept.
type abRig struct {
	clock *platformtest.Clock
	st    *storage.Store
	fakes *platformtest.Server
	eng   *dispatch.Engine
	svc   *broadcasts.Service
	sink  *abSink
}

type abSink struct {
	mu     sync.Mutex
	sched  *schedule.Scheduler
	events []herald.Event
}

func (s *abSink) Publish(ctx context.Context, e herald.Event) {
	s.mu.Lock()
	s.events = append(s.events, e)
	sched := s.sched
	s.mu.Unlock()
	if sched != nil {
		sched.Publish(ctx, e)
	}
}

// decided is every A/B decision published so far.
func (s *abSink) decided() []herald.ABDecided {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []herald.ABDecided
	for _, e := range s.events {
		if d, ok := e.(herald.ABDecided); ok {
			out = append(out, d)
		}
	}
	return out
}

func newABRig(t *testing.T) *abRig {
	t.Helper()
	c, st := dispatchtest.Open(t)
	fakes, ln := lineFake(t, c)
	sink := &abSink{}
	eng := dispatchtest.Engine(t, st, map[herald.Platform]dispatch.Sender{herald.LINE: ln},
		dispatch.Options{Workers: 2, Now: c.Now, Sleep: c.Sleep, SnapshotBatch: 50, Events: sink})
	svc, err := broadcasts.New(broadcasts.Options{Store: st, Runs: eng, Events: sink, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	dispatchtest.LINEUsers(t, st, 400)
	r := &abRig{clock: c, st: st, fakes: fakes, eng: eng, svc: svc, sink: sink}
	r.restart(t)
	return r
}

// restart is Herald starting again: a new scheduler loaded from storage.
func (r *abRig) restart(t *testing.T) *schedule.Scheduler {
	t.Helper()
	s := schedule.New(r.st, r.eng, r.sink, schedule.Options{Now: r.clock.Now, Tests: r.svc})
	r.sink.mu.Lock()
	r.sink.sched = s
	r.sink.mu.Unlock()
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

// advance moves the clock, lets the scheduler do what is due and waits
// for the runs it started.
func (r *abRig) advance(t *testing.T, s *schedule.Scheduler, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r.clock.Add(d)
	s.Tick(ctx, r.clock.Now())
	if err := r.eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

// got is who received which text on LINE, and how many messages each.
func (r *abRig) got() (byText map[string]map[string]bool, perPerson map[string]int) {
	byText, perPerson = map[string]map[string]bool{}, map[string]int{}
	for _, d := range r.fakes.Recorder.Deliveries("line") {
		text := "?"
		for _, v := range []string{"Variant A", "Variant B", "Variant C"} {
			if strings.Contains(d.Content, v) {
				text = v
			}
		}
		if byText[text] == nil {
			byText[text] = map[string]bool{}
		}
		byText[text][d.Recipient] = true
		perPerson[d.Recipient]++
	}
	return byText, perPerson
}

// abDraft is a test of n variants, a tenth each, to every LINE user, now.
func abDraft(variants int) herald.Broadcast {
	test := &herald.ABTest{Percent: 10, Wait: 2 * time.Hour}
	for i := 1; i < variants; i++ {
		test.Variants = append(test.Variants, herald.Content{Kind: herald.TextContent, Text: "Variant " + herald.VariantLetter(i+1)})
	}
	return herald.Broadcast{Name: "Sale", Category: herald.Marketing, Test: test,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Variant A"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendNow}}
}

func (r *abRig) submit(t *testing.T, variants int) herald.Broadcast {
	t.Helper()
	b, cnt, err := r.svc.Submit(context.Background(), abDraft(variants), "", broadcasts.Actor{Key: "console:ann"})
	if err != nil {
		t.Fatal(err)
	}
	if cnt.Total < 20 || cnt.Total > 60 {
		t.Fatalf("variant A counts %d of 400, want about 10%%", cnt.Total)
	}
	return b
}

// sent submits a test of n variants, starts the scheduler and lets the
// variants go out (the undo delay passes).
func (r *abRig) sent(t *testing.T, n int) (herald.Broadcast, *schedule.Scheduler) {
	t.Helper()
	b := r.submit(t, n)
	s := r.restart(t)
	r.advance(t, s, 61*time.Second)
	return b, s
}

func (r *abRig) tap(t *testing.T, broadcastID string, people map[string]bool, n int) {
	t.Helper()
	var taps []herald.Tap
	for id := range people {
		if len(taps) == n {
			break
		}
		taps = append(taps, herald.Tap{BroadcastID: broadcastID, ButtonID: "b1",
			Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: id}, At: r.clock.Now()})
	}
	if err := r.st.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
}

// TestABWinnerGoesToTheRest: three variants go to disjoint tenths; B is
// tapped most; Herald restarts during the wait; at the time the rest (the
// other 70%) gets B, and nobody gets two messages. Another restart after
// it sends nothing again.
func TestABWinnerGoesToTheRest(t *testing.T) {
	r := newABRig(t)
	b, _ := r.sent(t, 3)

	byText, per := r.got()
	a, bb, c := byText["Variant A"], byText["Variant B"], byText["Variant C"]
	if len(a) == 0 || len(bb) == 0 || len(c) == 0 || len(a)+len(bb)+len(c) > 200 {
		t.Fatalf("variants reached A %d, B %d, C %d of 400; want each about 40", len(a), len(bb), len(c))
	}
	for id, n := range per {
		if n != 1 {
			t.Fatalf("%s got %d variants", id, n)
		}
	}
	p, _ := r.st.Broadcast(b.ID)
	r.tap(t, b.ID, a, 2)
	r.tap(t, p.Test.Children[0], bb, 6)
	r.tap(t, p.Test.Children[1], c, 1)

	s := r.restart(t) // down and up again during the wait
	r.advance(t, s, time.Hour)
	if len(r.sink.decided()) != 0 {
		t.Fatal("decided before the wait was over")
	}
	r.advance(t, s, time.Hour)
	ds := r.sink.decided()
	if len(ds) != 1 || ds[0].Winner != 2 || ds[0].By != "system" {
		t.Fatalf("decisions %+v, want B picked by the rule", ds)
	}
	if got := ds[0].Results[1]; got.Responded != 6 || got.Delivered != len(bb) {
		t.Errorf("B's result %+v, want 6 tapped of %d delivered", got, len(bb))
	}
	byText, per = r.got()
	if len(per) != 400 {
		t.Errorf("%d of 400 people reached in all", len(per))
	}
	for id, n := range per {
		if n != 1 {
			t.Fatalf("%s got %d messages", id, n)
		}
	}
	if rest := len(byText["Variant B"]) - len(bb); rest < 400-len(a)-len(bb)-len(c) {
		t.Errorf("the rest got B %d times, want everyone left (%d)", rest, 400-len(a)-len(bb)-len(c))
	}

	s = r.restart(t)
	r.advance(t, s, 24*time.Hour)
	if _, again := r.got(); len(again) != 400 || len(r.sink.decided()) != 1 {
		t.Errorf("after another restart: %d people, %d decisions; want nothing new", len(again), len(r.sink.decided()))
	}
}

// TestABNobodyTappedAsksTheAdmin: with no taps the chat is asked to pick,
// once, even across a restart; the admin's pick goes to the rest and a
// second pick is refused.
func TestABNobodyTappedAsksTheAdmin(t *testing.T) {
	r := newABRig(t)
	b, s := r.sent(t, 2)
	r.advance(t, s, 2*time.Hour)
	ds := r.sink.decided()
	if len(ds) != 1 || ds[0].Winner != 0 || len(ds[0].Results) != 2 {
		t.Fatalf("decisions %+v, want one request to pick between 2", ds)
	}
	s = r.restart(t)
	r.advance(t, s, time.Hour)
	if len(r.sink.decided()) != 1 {
		t.Fatal("asked again after a restart")
	}
	if _, per := r.got(); len(per) > 200 {
		t.Fatalf("%d people reached before anyone picked", len(per))
	}
	admin := broadcasts.Actor{Key: "console:bob"}
	if _, err := r.svc.PickVariant(context.Background(), b.ID, 1, admin); err != nil {
		t.Fatal(err)
	}
	r.advance(t, s, time.Second)
	byText, per := r.got()
	if len(per) != 400 || len(byText["Variant B"]) > 100 {
		t.Errorf("after picking A: %d people reached, %d got B", len(per), len(byText["Variant B"]))
	}
	if ds := r.sink.decided(); len(ds) != 2 || ds[1].Winner != 1 || ds[1].By != admin.Key {
		t.Errorf("decisions %+v, want A picked by bob", ds)
	}
	if _, err := r.svc.PickVariant(context.Background(), b.ID, 2, admin); err == nil {
		t.Error("a second pick was taken")
	}
}

// TestPickWinner: the best rate of unique taps over deliveries wins, a
// tie goes to the earlier variant, and no taps at all is no winner.
func TestPickWinner(t *testing.T) {
	for _, c := range []struct {
		name string
		rs   []herald.VariantResult
		want int
	}{
		{"rate, not count", []herald.VariantResult{{Delivered: 100, Responded: 10}, {Delivered: 20, Responded: 5}}, 2},
		{"tie to A", []herald.VariantResult{{Delivered: 10, Responded: 1}, {Delivered: 10, Responded: 1}}, 1},
		{"nobody", []herald.VariantResult{{Delivered: 10}, {Delivered: 10}, {}}, 0},
		{"only C", []herald.VariantResult{{Delivered: 10}, {Delivered: 10}, {Delivered: 10, Responded: 1}}, 3},
	} {
		if got := herald.PickWinner(c.rs); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

// TestCloneOfATestIsTheSameTest: a copy of a test that went out is the
// same test, not yet started, on the same samples.
func TestCloneOfATestIsTheSameTest(t *testing.T) {
	r := newABRig(t)
	b := r.submit(t, 2)
	r.advance(t, r.restart(t), 61*time.Second)
	c, err := r.svc.Clone(context.Background(), b.ID, func(base string, n int) string { return base + " (copy)" },
		herald.Origin{Frontend: "console"}, broadcasts.Actor{Key: "console:ann"})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := r.st.Broadcast(b.ID)
	if c.Test == nil || c.Test.N() != 2 || c.Test.Seed != p.Test.Seed || len(c.Test.Children) != 0 || !c.Test.DecideAt.IsZero() {
		t.Errorf("the copy's test %+v, want the plan of %+v", c.Test, p.Test)
	}
}

// TestABCanceledWhileWaiting: a test whose variants went out can be
// canceled while it waits: nobody is asked and the rest gets nothing.
func TestABCanceledWhileWaiting(t *testing.T) {
	r := newABRig(t)
	b, s := r.sent(t, 2)
	_, before := r.got()
	if _, err := r.svc.Cancel(context.Background(), b.ID, broadcasts.Actor{Key: "console:ann"}); err != nil {
		t.Fatal(err)
	}
	r.advance(t, s, 3*time.Hour)
	if _, after := r.got(); len(r.sink.decided()) != 0 || len(after) != len(before) {
		t.Errorf("after canceling: %d decisions, %d people reached (were %d)", len(r.sink.decided()), len(after), len(before))
	}
	if _, err := r.svc.PickVariant(context.Background(), b.ID, 1, broadcasts.Actor{Key: "console:ann"}); err == nil {
		t.Error("a canceled test took a pick")
	}
}

// A test's variant A is a tenth of the audience, but the test reaches all
// of it in the end: over the approval threshold it waits for approval,
// though A's share alone is under it.
func TestABTestOverTheThresholdNeedsApproval(t *testing.T) {
	r := newABRig(t)
	svc, err := broadcasts.New(broadcasts.Options{Store: r.st, Runs: r.eng, Events: r.sink, Now: r.clock.Now, ApprovalThreshold: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, cnt, err := svc.Submit(context.Background(), abDraft(2), "", broadcasts.Actor{Key: "console:ann"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Status != herald.StatusPending || cnt.Total >= 100 {
		t.Errorf("a test of 400 people (A: %d) over a threshold of 100 is %s, want pending approval", cnt.Total, b.Status)
	}
}

// TestABRestReachesNewcomersInAVariantsBand: 200 people subscribe while a
// test waits, some of them in a variant's sample band. The rest goes to
// everyone who was on no variant's recipient list: every newcomer gets the
// winner, nobody who got a variant gets a second message, and everyone of
// the 600 gets exactly one.
func TestABRestReachesNewcomersInAVariantsBand(t *testing.T) {
	r := newABRig(t)
	b, s := r.sent(t, 2)
	_, before := r.got()

	p, _ := r.st.Broadcast(b.ID)
	newcomers := make([]herald.Subscriber, 200)
	inBand := 0
	for i := range newcomers {
		newcomers[i] = herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprintf("U9%031d", i), Kind: herald.KindUser, State: herald.Subscribed}
		for v := 1; v <= p.Test.N(); v++ {
			if p.Test.Band(v).Takes(newcomers[i].Key()) {
				inBand++
			}
		}
	}
	if inBand == 0 {
		t.Fatal("no newcomer falls in a variant's band: the test proves nothing")
	}
	if err := r.st.PutSubscribers(newcomers); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.PickVariant(context.Background(), b.ID, 2, broadcasts.Actor{Key: "console:ann"}); err != nil {
		t.Fatal(err)
	}
	r.advance(t, s, time.Second)

	byText, per := r.got()
	if len(per) != 600 {
		t.Errorf("%d of 600 people reached in all, want everyone once", len(per))
	}
	for id, n := range per {
		if n != 1 {
			t.Errorf("%s got %d messages, want one", id, n)
		}
	}
	for _, sub := range newcomers {
		if !byText["Variant B"][sub.ID] {
			t.Errorf("newcomer %s did not get the winner (B)", sub.ID)
		}
	}
	for id := range before {
		if byText["Variant B"][id] && byText["Variant A"][id] {
			t.Errorf("%s got both variants", id)
		}
	}
	t.Logf("%d of %d newcomers were in a variant's band", inBand, len(newcomers))
}
