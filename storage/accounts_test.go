package storage

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// A subscriber record as Herald wrote it before accounts existed (made by
// that version's AppendSubscriber): LINE U1 "Ann", tag vip.
const oldSubscriberRecord = "01010255310103416e6e000001037669700081c8b1c9c3bce58631000100"

// A file written before accounts existed opens with everything in it in
// the default accounts: the subscriber is found under the key it always
// had, counted and matched as before, and a follower of a second LINE
// channel with the same user ID is another subscriber beside it.
func TestOldFileKeepsItsSubscribersInTheDefaultAccount(t *testing.T) {
	s, c := openTest(t)
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Write the old record as the old version laid it out: Seq 1 under
	// "line:U1".
	rec, _ := hex.DecodeString(oldSubscriberRecord)
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		subs := tx.Bucket(bucketSubscribers)
		if _, err := subs.NextSequence(); err != nil {
			return err
		}
		if err := subs.Put(u32(1), rec); err != nil {
			return err
		}
		return tx.Bucket(bucketSubKeys).Put([]byte("line:U1"), u32(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(path, Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })

	old, err := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U1"})
	if err != nil || old.Seq != 1 || old.Account != "" || old.Name != "Ann" || !old.HasTag("vip") {
		t.Fatalf("the old subscriber reads as %+v, %v", old, err)
	}
	shop := herald.Subscriber{Platform: herald.LINE, Account: "shop", ID: "U1", Kind: herald.KindUser, Name: "Ann at the shop"}
	if err := s.PutSubscribers([]herald.Subscriber{shop}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "U1"})
	if err != nil || got.Seq == 1 || got.Account != "shop" {
		t.Fatalf("the shop's follower: %+v, %v", got, err)
	}
	again, _ := s.Subscriber(old.Key())
	if diff := cmp.Diff(old, again); diff != "" {
		t.Errorf("adding the shop's follower changed the old one (-before +after):\n%s", diff)
	}
	a := herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users}
	count := func(accs ...herald.Account) int {
		a.Accounts = accs
		n, err := s.Count(&a, herald.Marketing, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return n.Total
	}
	if all, main, shops := count(), count(herald.Account{Platform: herald.LINE}), count(herald.Account{Platform: herald.LINE, Name: "shop"}); all != 2 || main != 1 || shops != 1 {
		t.Errorf("counts: every LINE account %d, the default %d, shop %d; want 2, 1, 1", all, main, shops)
	}
	// Reopened (the audience index rebuilt from the file), the same.
	s = reopen(t, s, c)
	if main := count(herald.Account{Platform: herald.LINE}); main != 1 {
		t.Errorf("after reopening, the default account counts %d, want 1", main)
	}
}

// Named accounts' records round-trip; the default account's are byte for
// byte what they were before accounts existed.
func TestAccountCodecs(t *testing.T) {
	sub := herald.Subscriber{Platform: herald.LINE, ID: "U1", Kind: herald.KindUser, Name: "Ann", Tags: []string{"vip"},
		FirstSeen: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), State: herald.Subscribed}
	if got := hex.EncodeToString(AppendSubscriber(nil, &sub)); got != oldSubscriberRecord {
		t.Errorf("a default account's record changed:\n%s\nwant\n%s", got, oldSubscriberRecord)
	}
	sub.Seq, sub.Account = 3, "shop"
	var back herald.Subscriber
	b := AppendSubscriber(nil, &sub)
	if err := DecodeSubscriber(3, b, &back); err != nil || back.Account != "shop" || back.Name != "Ann" {
		t.Errorf("named account's subscriber: %+v, %v", back, err)
	}
	d := herald.Delivery{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.Telegram, Account: "shop", ID: "1001"}, Outcome: herald.Sent, PartsDone: 2}
	var dback herald.Delivery
	if err := decodeDelivery(3, appendDelivery(nil, &d), &dback); err != nil || dback != d {
		t.Errorf("named account's delivery: %+v, %v; want %+v", dback, err, d)
	}
	if got := hex.EncodeToString(appendDelivery(nil, &herald.Delivery{Recipient: herald.SubscriberKey{Platform: herald.Telegram, ID: "1001"},
		Outcome: herald.Sent, MessageID: "m7", Attempts: 1, At: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})); got != "020204313030310200026d370181c8b1c9c3bce5863100" {
		t.Errorf("a default account's delivery record changed: %s", got)
	}
}
