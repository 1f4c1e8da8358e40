package storage

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// tapOnce records one event: a LINE user's tap with the platform's ID id,
// and reports whether it was a repeat.
func tapOnce(t *testing.T, s *Store, id string) bool {
	t.Helper()
	k := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
	repeat, err := s.RecordInbound([]string{id}, []herald.SubscriberKey{k}, []herald.Tap{{BroadcastID: "B-1", ButtonID: "b1", Subscriber: k}},
		func(_ int, sub *herald.Subscriber, _ bool) error {
			sub.Kind = herald.KindUser
			sub.AddTags("tapped")
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return repeat[0]
}

// An event ID is remembered for at least SeenWindow, across a restart, and
// forgotten once its slot is older than that; slots are dropped whole.
func TestSeenEventsExpireAfterTheWindow(t *testing.T) {
	s, c := openTest(t)
	if tapOnce(t, s, "line:E1") {
		t.Fatal("a first delivery was taken for a repeat")
	}
	if !tapOnce(t, s, "line:E1") {
		t.Fatal("an exact repeat was applied again")
	}
	long := "messenger:p:PSID1:1732345200000:" + strings.Repeat("x", 500) // kept as a hash
	if tapOnce(t, s, long) || !tapOnce(t, s, long) {
		t.Fatal("a long ID was not recognised on its repeat")
	}
	c.Add(SeenWindow - time.Second)
	s = reopen(t, s, c)
	if !tapOnce(t, s, "line:E1") {
		t.Fatal("a repeat within the window, after a restart, was applied again")
	}
	if taps, _ := s.Taps("B-1"); len(taps) != 1 || taps[0].Taps != 2 {
		t.Fatalf("taps = %+v, want E1 and the long one counted once each", taps)
	}
	c.Add(seenSlot + time.Second)
	if tapOnce(t, s, "line:E1") {
		t.Error("an ID older than the window and its slot is still remembered")
	}
	slots := 0
	_ = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeen).ForEachBucket(func([]byte) error { slots++; return nil })
	})
	if slots != 1 {
		t.Errorf("%d slots kept, want only the current one", slots)
	}
}

// Two deliveries of one event in the same batch apply it once; events
// without an ID always apply.
func TestSeenWithinOneBatch(t *testing.T) {
	s, _ := openTest(t)
	k := herald.SubscriberKey{Platform: herald.Telegram, ID: "7"}
	keys := []herald.SubscriberKey{k, k, k, k}
	n := 0
	repeat, err := s.RecordInbound([]string{"telegram:1", "telegram:1", "", ""}, keys, make([]herald.Tap, 4),
		func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, false, false}; !slices.Equal(repeat, want) || n != 3 {
		t.Errorf("repeat = %v with %d applied, want %v and 3", repeat, n, want)
	}
}
