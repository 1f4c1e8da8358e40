package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// subsClock is the subscriber tests' time, 2026-03-01 09:00 UTC, moved by
// the test.
func subsClock() *platformtest.Clock {
	return platformtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// person builds a valid subscriber; i picks its ID.
func person(p herald.Platform, i int, tags ...string) herald.Subscriber {
	return herald.Subscriber{
		Platform: p, ID: fmt.Sprintf("U%07d", i), Kind: herald.KindUser, Name: fmt.Sprintf("User %d", i),
		Locale: "zh-TW", Timezone: "Asia/Taipei", Tags: herald.NormalizeTags(tags),
		State: herald.Subscribed, LastInteraction: time.Date(2026, 2, 1, 0, 0, i%3600, 0, time.UTC),
	}
}

// personKey is the key of person(p, i).
func personKey(p herald.Platform, i int) herald.SubscriberKey {
	u := person(p, i)
	return u.Key()
}

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

// seedPeople stores 3,000 subscribers: every third on Telegram, tag "vip"
// on every fifth, "tw" on every second, and every seventh blocked.
func seedPeople(t testing.TB, s storage.Backend) {
	t.Helper()
	var batch []herald.Subscriber
	for i := 1; i <= 3000; i++ {
		p := herald.LINE
		if i%3 == 0 {
			p = herald.Telegram
		}
		var tags []string
		if i%5 == 0 {
			tags = append(tags, "vip")
		}
		if i%2 == 0 {
			tags = append(tags, "tw")
		}
		sub := person(p, i, tags...)
		if i%7 == 0 {
			sub.State = herald.Blocked
		}
		batch = append(batch, sub)
	}
	if err := s.PutSubscribers(batch); err != nil {
		t.Fatal(err)
	}
}

// matching lists the Seqs EachSubscriber says match a: the reference
// answer the index must give.
func matching(t testing.TB, s storage.Backend, a *herald.Audience, now time.Time) []uint32 {
	t.Helper()
	var seqs []uint32
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if a.Matches(sub, now) {
			seqs = append(seqs, sub.Seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return seqs
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
