package storage

import (
	"errors"
	"testing"

	"github.com/heraldbot/herald"
)

// Reading many subscribers at once answers each key as Subscriber does:
// found, not found, or found under the ID its chat moved to.
func TestSubscribersAnswersEachKeyAsSubscriberDoes(t *testing.T) {
	s, _ := openTest(t)
	if err := s.PutSubscribers([]herald.Subscriber{user(herald.LINE, 1), user(herald.Messenger, 2), tgGroup("-4001", "Runners")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveSubscriber(tgKey("-4001"), tgKey("-1004001")); err != nil {
		t.Fatal(err)
	}
	keys := []herald.SubscriberKey{key(herald.Messenger, 2), key(herald.LINE, 9), tgKey("-4001"), key(herald.LINE, 1)}
	subs, errs := s.readSubscribers(keys, nil)
	answerAsSubscriber(t, s, keys, subs, errs)
	if subs[2].ID != "-1004001" || subs[0].Name != "User 2" || !errors.Is(errs[1], herald.ErrNotFound) {
		t.Errorf("got %+v, %v", subs, errs)
	}
}

// A run's deliveries find their recipients by the Seq the snapshot took,
// but answer as Subscriber does for each delivery's key: a chat that moved
// since is found under its new ID, someone erased is not found, and a
// Seq that holds someone else does not stand in for the key.
func TestRecipientsAnswerEachDeliveryAsSubscriberDoes(t *testing.T) {
	s, _ := openTest(t)
	subs := []herald.Subscriber{user(herald.LINE, 1), user(herald.Messenger, 2), tgGroup("-4001", "Runners"), user(herald.LINE, 3)}
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveSubscriber(tgKey("-4001"), tgKey("-1004001")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(key(herald.LINE, 3)); err != nil {
		t.Fatal(err)
	}
	ds := []herald.Delivery{
		{Seq: subs[1].Seq, Recipient: subs[1].Key()},
		{Seq: subs[2].Seq, Recipient: tgKey("-4001")}, // moved: its Seq now holds -1004001
		{Seq: subs[3].Seq, Recipient: subs[3].Key()},  // erased
		{Seq: subs[0].Seq, Recipient: key(herald.LINE, 9)},
		{Seq: subs[1].Seq + 100, Recipient: subs[0].Key()}, // no one at that Seq
	}
	got, errs := s.Recipients(ds)
	keys := make([]herald.SubscriberKey, len(ds))
	for i, d := range ds {
		keys[i] = d.Recipient
	}
	answerAsSubscriber(t, s, keys, got, errs)
	if got[1].ID != "-1004001" || got[0].Name != "User 2" || got[4].Name != "User 1" ||
		!errors.Is(errs[2], herald.ErrNotFound) || !errors.Is(errs[3], herald.ErrNotFound) {
		t.Errorf("got %+v, %v", got, errs)
	}
}

// answerAsSubscriber checks that subs[i] and errs[i] are what Subscriber
// answers for keys[i].
func answerAsSubscriber(t *testing.T, s *Store, keys []herald.SubscriberKey, subs []herald.Subscriber, errs []error) {
	t.Helper()
	for i, k := range keys {
		one, err := s.Subscriber(k)
		if errors.Is(errs[i], herald.ErrNotFound) != errors.Is(err, herald.ErrNotFound) || (err == nil) != (errs[i] == nil) {
			t.Errorf("%s: error %v, Subscriber says %v", k, errs[i], err)
		}
		if subs[i].Key() != one.Key() || subs[i].Name != one.Name || subs[i].Seq != one.Seq {
			t.Errorf("%s: got %s %q, Subscriber says %s %q", k, subs[i].Key(), subs[i].Name, one.Key(), one.Name)
		}
	}
}
