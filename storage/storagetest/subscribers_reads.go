package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// An exact ID comes first whoever else has it in their name, names match
// in any case, every state is found, and the limit stops the scan.
func findByIDThenName(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	subs := []herald.Subscriber{
		{Platform: herald.LINE, ID: "U1", Kind: herald.KindUser, Name: "Ann U2 fan", State: herald.Subscribed},
		{Platform: herald.Telegram, ID: "U2", Kind: herald.KindUser, Name: "Bo", State: herald.Blocked},
		{Platform: herald.Messenger, ID: "P3", Kind: herald.KindUser, Name: "ann lee", State: herald.Unsubscribed},
	}
	subs[0].SetTags([]string{"vip"})
	putPeople(t, s, subs...)
	ids := func(text string, limit int) []string {
		t.Helper()
		got, err := s.FindSubscribers(text, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range got {
			out = append(out, g.Key().String())
		}
		return out
	}
	for _, c := range []struct {
		text  string
		limit int
		want  []string
	}{
		{"u2", 0, []string{"line:U1"}}, // IDs are exact: "u2" is only in a name
		{"U2", 0, []string{"telegram:U2", "line:U1"}},
		{"telegram:U2", 0, []string{"telegram:U2"}},
		{"ANN", 0, []string{"line:U1", "messenger:P3"}},
		{"ann", 1, []string{"line:U1"}},
		{"  ", 0, nil},
		{"zed", 0, nil},
	} {
		if got := ids(c.text, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("FindSubscribers(%q, %d) = %v; want %v", c.text, c.limit, got, c.want)
		}
	}
	got, _ := s.FindSubscribers("ann", 1)
	if len(got) != 1 || len(got[0].Tags) != 1 || got[0].Tags[0] != "vip" {
		t.Errorf("found %+v; want Ann's tags kept", got)
	}
}

// A run's deliveries find their recipients by the Seq the snapshot took,
// but answer as Subscriber does for each delivery's key: a chat that moved
// since is found under its new ID, someone erased is not found, and a
// Seq that holds someone else does not stand in for the key.
func recipientsAnswer(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	subs := []herald.Subscriber{crowd.Person(herald.LINE, 1), crowd.Person(herald.Messenger, 2), group("-4001", "Runners"), crowd.Person(herald.LINE, 3)}
	putPeople(t, s, subs...)
	if _, err := s.MoveSubscriber(tgChat("-4001"), tgChat("-1004001")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(crowd.Key(herald.LINE, 3)); err != nil {
		t.Fatal(err)
	}
	ds := []herald.Delivery{
		{Seq: subs[1].Seq, Recipient: subs[1].Key()},
		{Seq: subs[2].Seq, Recipient: tgChat("-4001")}, // moved: its Seq now holds -1004001
		{Seq: subs[3].Seq, Recipient: subs[3].Key()},   // erased
		{Seq: subs[0].Seq, Recipient: crowd.Key(herald.LINE, 9)},
		{Seq: subs[1].Seq + 100, Recipient: subs[0].Key()}, // no one at that Seq
	}
	got, errs := s.Recipients(ds)
	for i, d := range ds {
		one, err := s.Subscriber(d.Recipient)
		if errors.Is(errs[i], herald.ErrNotFound) != errors.Is(err, herald.ErrNotFound) || (err == nil) != (errs[i] == nil) {
			t.Errorf("%s: error %v, Subscriber says %v", d.Recipient, errs[i], err)
		}
		if got[i].Key() != one.Key() || got[i].Name != one.Name || got[i].Seq != one.Seq {
			t.Errorf("%s: got %s %q, Subscriber says %s %q", d.Recipient, got[i].Key(), got[i].Name, one.Key(), one.Name)
		}
	}
	if got[1].ID != "-1004001" || got[0].Name != "User 2" || got[4].Name != "User 1" ||
		!errors.Is(errs[2], herald.ErrNotFound) || !errors.Is(errs[3], herald.ErrNotFound) {
		t.Errorf("got %+v, %v", got, errs)
	}
}

// The same user ID following a second account of a platform is another
// subscriber, counted in its own account.
func namedAccount(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	main := herald.Subscriber{Platform: herald.LINE, ID: "U1", Kind: herald.KindUser, Name: "Ann", State: herald.Subscribed}
	shop := herald.Subscriber{Platform: herald.LINE, Account: "shop", ID: "U1", Kind: herald.KindUser, Name: "Ann at the shop"}
	putPeople(t, s, main, shop)
	got, err := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "U1"})
	if err != nil || got.Seq != 2 || got.Account != "shop" || got.Name != "Ann at the shop" {
		t.Fatalf("the shop's follower: %+v, %v", got, err)
	}
	if got, err := s.Subscriber(main.Key()); err != nil || got.Seq != 1 || got.Account != "" {
		t.Errorf("the default account's follower: %+v, %v", got, err)
	}
	a := herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users}
	count := func(accs ...herald.Account) int {
		a.Accounts = accs
		n, err := s.Count(&a, herald.Marketing, c.Now())
		if err != nil {
			t.Fatal(err)
		}
		return n.Total
	}
	check := func(when string) {
		if all, def, shops := count(), count(herald.Account{Platform: herald.LINE}), count(herald.Account{Platform: herald.LINE, Name: "shop"}); all != 2 || def != 1 || shops != 1 {
			t.Errorf("%s: every LINE account %d, the default %d, shop %d; want 2, 1, 1", when, all, def, shops)
		}
	}
	check("fresh")
	if o.Reopen != nil {
		s = o.Reopen(t, s, c.Now)
		check("after reopening")
	}
}

func subscribersConcurrency(t *testing.T, o Opener) {
	// Two writers changing one subscriber lose neither's change: each
	// read-modify-write sees the other's result.
	t.Run("ConcurrentUpdatesOfOneSubscriber", func(t *testing.T) {
		s := o.Open(t, nil)
		key := herald.SubscriberKey{Platform: herald.LINE, ID: "Ucount"}
		const writers, each = 4, 25
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					_, err := s.UpdateSubscriber(key, func(sub *herald.Subscriber, _ bool) error {
						sub.Kind = herald.KindUser
						n := 0
						fmt.Sscan(sub.Attributes["n"], &n)
						sub.Attributes = map[string]string{"n": fmt.Sprint(n + 1)}
						sub.AddTags(fmt.Sprintf("w%d-%d", w, i%2))
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		got, err := s.Subscriber(key)
		if err != nil || got.Seq != 1 || got.Attributes["n"] != fmt.Sprint(writers*each) || len(got.Tags) != 2*writers {
			t.Errorf("after %d concurrent updates: %+v, %v", writers*each, got, err)
		}
		wantIndex(t, s, "after concurrent updates")
	})

	// Webhooks of one new person arriving together create one subscriber.
	t.Run("ConcurrentCreatorsMakeOneSubscriber", func(t *testing.T) {
		s := o.Open(t, nil)
		var wg sync.WaitGroup
		created := make(chan bool, 40)
		for i := range 4 {
			wg.Go(func() {
				for j := range 10 {
					keys := []herald.SubscriberKey{crowd.Key(herald.Telegram, j), crowd.Key(herald.LINE, 100+i)}
					err := s.UpdateSubscribers(keys, func(k int, sub *herald.Subscriber, c bool) error {
						sub.Kind = herald.KindUser
						sub.AddTags("came")
						if k == 0 {
							created <- c
						}
						return nil
					})
					if err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		close(created)
		n := 0
		for c := range created {
			if c {
				n++
			}
		}
		if n != 10 {
			t.Errorf("%d creations of 10 new people", n)
		}
		seen := map[uint32]bool{}
		if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
			if seen[sub.Seq] {
				t.Errorf("Seq %d twice", sub.Seq)
			}
			seen[sub.Seq] = true
			return nil
		}); err != nil || len(seen) != 14 {
			t.Errorf("%d subscribers stored, want 14: %v", len(seen), err)
		}
		wantIndex(t, s, "after concurrent creations")
	})

	// An import and webhooks writing the same people at once both
	// succeed (neither deadlocks the other), and the index ends as the
	// records do.
	t.Run("ImportDuringWebhooks", func(t *testing.T) {
		s := o.Open(t, nil)
		var wg sync.WaitGroup
		for round := range 3 {
			wg.Go(func() {
				batch := make([]herald.Subscriber, 600)
				for i := range batch {
					batch[i] = crowd.Person(herald.LINE, i+1, fmt.Sprintf("import-%d", round))
				}
				if err := s.PutSubscribers(batch); err != nil {
					t.Error(err)
				}
			})
		}
		for w := range 3 {
			wg.Go(func() {
				for i := range 20 {
					keys := []herald.SubscriberKey{crowd.Key(herald.LINE, 600-i*7-w), crowd.Key(herald.LINE, 1+i*11+w)}
					err := s.UpdateSubscribers(keys, func(_ int, sub *herald.Subscriber, _ bool) error {
						sub.Kind = herald.KindUser
						sub.AddTags("webhook")
						return nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		wantIndex(t, s, "after an import during webhooks")
	})

	// Readers see whole subscribers (never a half-written batch) while
	// writers go on.
	t.Run("ReadersDuringWrites", func(t *testing.T) {
		s := o.Open(t, nil)
		seed := make([]herald.Subscriber, 500)
		for i := range seed {
			seed[i] = crowd.Person(herald.LINE, i+1, "a")
		}
		putPeople(t, s, seed...)
		var wg sync.WaitGroup
		done := make(chan struct{})
		wg.Go(func() {
			defer close(done)
			for round := range 20 {
				batch := make([]herald.Subscriber, 100)
				for i := range batch {
					batch[i] = crowd.Person(herald.LINE, round*100+i+1, "a", "round")
				}
				if err := s.PutSubscribers(batch); err != nil {
					t.Error(err)
					return
				}
			}
		})
		for range 3 {
			wg.Go(func() {
				for {
					select {
					case <-done:
						return
					default:
					}
					n := 0
					err := s.EachSubscriber(func(sub *herald.Subscriber) error {
						if !sub.HasTag("a") {
							t.Errorf("torn subscriber %+v", sub)
						}
						n++
						return nil
					})
					if err != nil || n < 500 {
						t.Errorf("reader saw %d subscribers: %v", n, err)
						return
					}
					if _, err := s.Count(&herald.Audience{Channels: []herald.Platform{herald.LINE}}, herald.Marketing, time.Now()); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		wantIndex(t, s, "after writes under readers")
	})
}

// wantIndex checks that the index's tag counts are the records' (every
// subscriber of these tests is reachable).
func wantIndex(t *testing.T, s storage.Backend, when string) {
	t.Helper()
	want := map[string]int{}
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		for _, tag := range sub.Tags {
			want[tag]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tc := range s.Tags() {
		got[tc.Tag] = tc.Count
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s: index tag counts differ from the records (-records +index):\n%s", when, diff)
	}
}
