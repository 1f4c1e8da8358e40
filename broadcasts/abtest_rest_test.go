package broadcasts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

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
