package main

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
	"github.com/heraldbot/herald/storage"
)

// demoSubscribers is the size of the demo audience: enough for counts and
// breakdowns to look real, small enough to seed in a blink.
const demoSubscribers = 3000

// demoSeed keeps the demo data the same on every machine, so counts in a
// walk-through match what a newcomer sees.
const demoSeed = 2026

var errDemoSeeded = errors.New("demo already seeded")

// seedDemo fills an empty demo database with generated subscribers and
// returns how many it added (0 when it already had some, so a second run
// keeps what the newcomer did).
func seedDemo(s storage.Backend, now time.Time) (int, error) {
	err := s.EachSubscriber(func(*herald.Subscriber) error { return errDemoSeeded })
	if errors.Is(err, errDemoSeeded) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	subs := audiencetest.Subscribers(demoSubscribers, demoSeed, now)
	first := []string{"Alice", "Ben", "Chen", "Daisuke", "Emi", "Fang", "Grace", "Hiro", "Ivy", "Jun", "Kai", "Lin", "Mei", "Nao", "Sora", "Wei", "Yuki", "Zoe"}
	last := []string{"Wang", "Lin", "Sato", "Suzuki", "Li", "Zhang", "Huang", "Tanaka", "Wu", "Liu"}
	for i := range subs {
		s := &subs[i]
		s.Seq = 0 // storage numbers subscribers itself
		s.Name = first[i%len(first)] + " " + last[(i/len(first))%len(last)]
		if s.Kind == herald.KindGroup {
			s.Name = "Fan club #" + s.ID[len(s.ID)-3:]
		}
		if s.Platform == herald.Messenger && i%5 < 2 {
			// An active page: two in five Messenger users wrote today, so
			// a marketing broadcast reaches them inside the 24-hour window.
			s.LastInteraction = now.Add(-time.Duration(i%23)*time.Hour - 7*time.Minute)
		}
	}
	if err := s.PutSubscribers(subs); err != nil {
		return 0, err
	}
	return len(subs), nil
}

// demoAccountFollowers is how many of a platform's demo people also follow
// each of its named accounts, when a config gives the demo some.
const demoAccountFollowers = 24

// seedDemoAccounts gives each named account in accs followers of its own
// the first time the demo runs with it: copies of some of its platform's
// demo people (the same IDs, which the fakes know), as someone following
// two channels is. It returns how many it added.
func seedDemoAccounts(s storage.Backend, accs []herald.Account) (int, error) {
	left := map[herald.Platform][]herald.Subscriber{}
	for _, acc := range accs {
		if acc.Name == "" {
			continue
		}
		left[acc.Platform] = nil
	}
	if len(left) == 0 {
		return 0, nil
	}
	err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if _, want := left[sub.Platform]; want && sub.Account == "" && sub.Kind == herald.KindUser && sub.Reachable() &&
			len(left[sub.Platform]) < demoAccountFollowers {
			c := *sub
			c.Seq, c.Tags, c.Attributes = 0, slices.Clone(sub.Tags), maps.Clone(sub.Attributes)
			left[sub.Platform] = append(left[sub.Platform], c)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	var subs []herald.Subscriber
	for _, acc := range accs {
		if acc.Name == "" {
			continue
		}
		if _, err := s.Subscriber(herald.SubscriberKey{Platform: acc.Platform, Account: acc.Name, ID: firstID(left[acc.Platform])}); err == nil {
			continue // seeded on an earlier run
		}
		for _, sub := range left[acc.Platform] {
			sub.Account = acc.Name
			subs = append(subs, sub)
		}
	}
	return len(subs), s.PutSubscribers(subs)
}

func firstID(subs []herald.Subscriber) string {
	if len(subs) == 0 {
		return ""
	}
	return subs[0].ID
}
