package storagetest

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

// group builds a Telegram group.
func group(id, name string, tags ...string) herald.Subscriber {
	return herald.Subscriber{Platform: herald.Telegram, ID: id, Kind: herald.KindGroup, Name: name,
		Tags: herald.NormalizeTags(tags), State: herald.Subscribed,
		FirstSeen:       time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		LastInteraction: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}
}

func tgChat(id string) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: herald.Telegram, ID: id}
}

// recipientIDs lists the IDs an audience resolves to, through the index
// and the records (what a run's snapshot sees).
func recipientIDs(t testing.TB, s storage.Backend, a *herald.Audience, now time.Time) []string {
	t.Helper()
	var ids []string
	if err := s.EachRecipient(a, now, func(sub *herald.Subscriber) error {
		ids = append(ids, sub.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// putPeople stores subs, failing the test on an error.
func putPeople(t testing.TB, s storage.Backend, subs ...herald.Subscriber) {
	t.Helper()
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
}
