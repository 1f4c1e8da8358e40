package storage

import (
	"testing"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Expired seen-event slots are dropped whole, by the write that notices
// them: only the current slot is left. (What is remembered how long is
// the contract's: storagetest.Engagement.)
func TestSeenSlotsDroppedWhole(t *testing.T) {
	s, c := openTest(t)
	tap := func(id string) {
		t.Helper()
		k := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
		if _, err := s.RecordInbound([]string{id}, []herald.SubscriberKey{k}, make([]herald.Tap, 1),
			func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	tap("line:E1")
	c.Add(seenSlot)
	tap("line:E2")
	c.Add(SeenWindow + seenSlot)
	tap("line:E3")
	slots := 0
	_ = s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSeen).ForEachBucket(func([]byte) error { slots++; return nil })
	})
	if slots != 1 {
		t.Errorf("%d slots kept, want only the current one", slots)
	}
}
