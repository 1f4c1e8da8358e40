package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// Inbound events start sequences: a person a batch creates follows, and a
// counted tap of someone the batch saved triggers its button's sequences;
// a tap by someone the batch did not save triggers nothing.
func inboundStartsSequences(t *testing.T, o Opener) {
	s := o.Open(t, func() time.Time { return t0 })
	follow := twoSteps("Welcome")
	follow.Trigger = herald.Trigger{Kind: herald.TriggerFollow}
	follow = createSeq(t, s, follow)
	tapped := twoSteps("Tapped b1")
	tapped.Trigger = herald.Trigger{Kind: herald.TriggerTap, Broadcast: "B-TAPQ", Button: "b1"}
	tapped = createSeq(t, s, tapped)
	u := func(i int) herald.SubscriberKey {
		return herald.SubscriberKey{Platform: herald.LINE, ID: fmt.Sprintf("U%d", i)}
	}
	if err := s.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: "U3", Kind: herald.KindUser, State: herald.Subscribed}}); err != nil {
		t.Fatal(err)
	}
	user := func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; return nil }
	if _, err := s.RecordInbound([]string{"line:A"}, []herald.SubscriberKey{u(1)}, make([]herald.Tap, 1), user); err != nil {
		t.Fatal(err)
	}
	tap := func(i int, button string) herald.Tap {
		return herald.Tap{BroadcastID: "B-TAPQ", ButtonID: button, Subscriber: u(i), At: t0}
	}
	_, err := s.RecordInbound([]string{"line:B", "line:C", "line:D"}, []herald.SubscriberKey{u(1), u(2), {}},
		[]herald.Tap{tap(1, "b1"), tap(2, "b2"), tap(3, "b1")}, user)
	if err != nil {
		t.Fatal(err)
	}
	wantApplied(t, s, 100, 4, "2 follows, 2 taps")
	wantCounts(t, s, follow.ID, []int{2, 0}, 2, 0, 0)
	wantCounts(t, s, tapped.ID, []int{1, 0}, 1, 0, 0)
}
