package storage

import (
	"errors"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// Reading many subscribers at once answers each key as Subscriber does:
// found, not found, or found under the ID its chat moved to.
func TestSubscribersAnswersEachKeyAsSubscriberDoes(t *testing.T) {
	s, _ := openTest(t)
	if err := s.PutSubscribers([]herald.Subscriber{crowd.Person(herald.LINE, 1), crowd.Person(herald.Messenger, 2), crowd.Person(herald.Telegram, 4001)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MoveSubscriber(crowd.Key(herald.Telegram, 4001), herald.SubscriberKey{Platform: herald.Telegram, ID: "-1004001"}); err != nil {
		t.Fatal(err)
	}
	keys := []herald.SubscriberKey{crowd.Key(herald.Messenger, 2), crowd.Key(herald.LINE, 9), crowd.Key(herald.Telegram, 4001), crowd.Key(herald.LINE, 1)}
	subs, errs := s.readSubscribers(keys, nil)
	answerAsSubscriber(t, s, keys, subs, errs)
	if subs[2].ID != "-1004001" || subs[0].Name != "User 2" || !errors.Is(errs[1], herald.ErrNotFound) {
		t.Errorf("got %+v, %v", subs, errs)
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
