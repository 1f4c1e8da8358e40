// Package crowd builds the subscribers the storage tests use: the
// contract suite (storagetest) and the bbolt backend's own tests alike.
// It lives apart from storagetest because the bbolt tests that need it
// are package storage's internal tests, which cannot import storagetest
// (storagetest imports storage); so crowd imports neither, only the root
// package and platformtest.
package crowd

import (
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// Clock is the time the tests see the crowd at, 2026-03-01 09:00 UTC (a
// month after Person's last interactions), moved by the test.
func Clock() *platformtest.Clock {
	return platformtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// Person builds a valid subscriber; i picks its ID.
func Person(p herald.Platform, i int, tags ...string) herald.Subscriber {
	return herald.Subscriber{
		Platform: p, ID: fmt.Sprintf("U%07d", i), Kind: herald.KindUser, Name: fmt.Sprintf("User %d", i),
		Locale: "zh-TW", Timezone: "Asia/Taipei", Tags: herald.NormalizeTags(tags),
		State: herald.Subscribed, LastInteraction: time.Date(2026, 2, 1, 0, 0, i%3600, 0, time.UTC),
	}
}

// Key is the key of Person(p, i).
func Key(p herald.Platform, i int) herald.SubscriberKey {
	u := Person(p, i)
	return u.Key()
}

// Putter is the part of a store Seed writes to.
type Putter interface {
	PutSubscribers(subs []herald.Subscriber) error
}

// Walker is the part of a store Matching reads.
type Walker interface {
	EachSubscriber(fn func(sub *herald.Subscriber) error) error
}

// Seed stores 3,000 subscribers: every third on Telegram, tag "vip" on
// every fifth, "tw" on every second, and every seventh blocked.
func Seed(t testing.TB, s Putter) {
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
		sub := Person(p, i, tags...)
		if i%7 == 0 {
			sub.State = herald.Blocked
		}
		batch = append(batch, sub)
	}
	if err := s.PutSubscribers(batch); err != nil {
		t.Fatal(err)
	}
}

// Matching lists the Seqs EachSubscriber says match a: the reference
// answer an audience index must give.
func Matching(t testing.TB, s Walker, a *herald.Audience, now time.Time) []uint32 {
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
