package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/pgtest"
)

func openShared(t testing.TB, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), url, Options{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// view is what an admin sees of a store's audience index: counts of a
// few audiences in both categories, the tag list, and first responses.
type view struct {
	Counts    map[string]herald.Count
	Tags      []herald.TagCount
	Responded map[string]bool
}

var viewAudiences = map[string]*herald.Audience{
	"everyone": {Channels: []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger}},
	"vip":      {Channels: []herald.Platform{herald.LINE, herald.Telegram}, IncludeTags: []string{"vip"}},
	"taipei":   {Channels: []herald.Platform{herald.LINE, herald.Telegram}, Attributes: []herald.AttrCondition{{Key: "city", Op: herald.AttrEq, Value: "Taipei"}}},
	"active":   {Channels: []herald.Platform{herald.LINE, herald.Telegram}, Activity: &herald.Activity{Op: herald.ActiveWithin, Period: 24 * time.Hour}},
	"tapped":   {Channels: []herald.Platform{herald.LINE, herald.Telegram}, Responses: []herald.Response{{BroadcastID: "B-1"}}},
	"clicked":  {Channels: []herald.Platform{herald.LINE, herald.Telegram}, Responses: []herald.Response{{BroadcastID: "B-2", ButtonID: "b2"}}},
}

var viewNow = time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)

func viewOf(s *Store) view {
	v := view{Counts: map[string]herald.Count{}, Tags: s.Tags(), Responded: map[string]bool{}}
	for name, a := range viewAudiences {
		for _, cat := range []herald.Category{herald.Marketing, herald.NonMarketing} {
			v.Counts[name+"/"+string(cat)], _ = s.Count(a, cat, viewNow)
		}
	}
	responded := s.Responded()
	for seq := uint32(1); seq <= 8; seq++ {
		sub := &herald.Subscriber{Seq: seq}
		v.Responded[fmt.Sprint("B-1 ", seq)] = responded(sub, "B-1", "")
		v.Responded[fmt.Sprint("B-2/b2 ", seq)] = responded(sub, "B-2", "b2")
	}
	return v
}

// agree waits until b's index shows what a store built from the database
// now shows (a third instance, opened after the writes).
func agree(t *testing.T, url string, b *Store, what string) {
	t.Helper()
	c, err := Open(context.Background(), url, Options{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	want := viewOf(c)
	c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := viewOf(b)
		diff := cmp.Diff(want, got)
		if diff == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: the other instance's index never caught up (-database +instance):\n%s", what, diff)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func person(p herald.Platform, id string, tags ...string) herald.Subscriber {
	return herald.Subscriber{Platform: p, ID: id, Kind: herald.KindUser, State: herald.Subscribed, Tags: tags,
		FirstSeen: viewNow.Add(-48 * time.Hour), LastInteraction: viewNow.Add(-48 * time.Hour)}
}

// Every kind of write on instance A reaches instance B's audience index:
// counts, tags and responses on B equal those of an index rebuilt from
// the database.
func TestSharedStoresFollowEachOthersWrites(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openShared(t, url), openShared(t, url)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.PutSubscribers([]herald.Subscriber{
		person(herald.LINE, "U1", "vip"), person(herald.LINE, "U2"), person(herald.Telegram, "-100"),
		person(herald.Telegram, "7", "vip"), person(herald.Messenger, "M1"),
	}))
	agree(t, url, b, "create")

	update := func(key herald.SubscriberKey, fn func(sub *herald.Subscriber)) {
		t.Helper()
		_, err := a.UpdateSubscriber(key, func(sub *herald.Subscriber, _ bool) error { fn(sub); return nil })
		must(err)
	}
	u2 := herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}
	update(u2, func(sub *herald.Subscriber) { sub.SetTags([]string{"vip", "new"}) })
	agree(t, url, b, "tags")
	update(u2, func(sub *herald.Subscriber) { sub.Attributes = map[string]string{"city": "Taipei"} })
	agree(t, url, b, "attributes")
	update(u2, func(sub *herald.Subscriber) { sub.LastInteraction = viewNow.Add(-time.Hour) })
	agree(t, url, b, "activity")
	update(herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, func(sub *herald.Subscriber) { sub.State = herald.Unsubscribed })
	agree(t, url, b, "consent")
	// A person who writes for the first time (the webhook path) and a
	// message of a known one.
	_, err := a.UpdateSubscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "8"}, func(sub *herald.Subscriber, created bool) error {
		sub.Kind, sub.State, sub.FirstSeen, sub.LastInteraction = herald.KindUser, herald.Subscribed, viewNow, viewNow
		return nil
	})
	must(err)
	agree(t, url, b, "created by UpdateSubscriber")

	must(a.DeleteSubscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "7"}))
	agree(t, url, b, "delete")
	_, err = a.MoveSubscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-100"}, herald.SubscriberKey{Platform: herald.Telegram, ID: "-1009"})
	must(err)
	agree(t, url, b, "move to a new ID")
	_, err = a.MoveSubscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "-1009"}, herald.SubscriberKey{Platform: herald.Telegram, ID: "8"})
	must(err)
	agree(t, url, b, "move onto a subscriber")

	must(a.RecordTaps([]herald.Tap{{BroadcastID: "B-1", ButtonID: "b1", Subscriber: u2, At: viewNow}}))
	agree(t, url, b, "first tap")
	u2sub, err := a.Subscriber(u2)
	must(err)
	must(a.RecordClicks([]herald.Click{{BroadcastID: "B-2", ButtonID: "b2", Seq: u2sub.Seq, At: viewNow}}))
	agree(t, url, b, "first click")

	// An import: one transaction, many log rows.
	const n = 20000
	big := make([]herald.Subscriber, n)
	for i := range big {
		big[i] = person(herald.LINE, fmt.Sprintf("I%05d", i), fmt.Sprintf("t%d", i%7))
		if i%3 == 0 {
			big[i].Attributes = map[string]string{"city": "Taipei", "note": string(make([]byte, 200))}
		}
	}
	must(a.PutSubscribers(big))
	agree(t, url, b, "import of 20,000")
	if got := b.index().Len(); got < n {
		t.Errorf("B indexes %d reachable subscribers after the import of %d", got, n)
	}
	// Writes on B reach A too. (Not u2's deletion: a live index keeps a
	// deleted Seq's responses, a rebuilt one has none; Count never sees
	// the difference, as matching starts from the reachable.)
	must(b.DeleteSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "I00001"}))
	agree(t, url, a, "delete on the other instance")
}

// A dropped listening connection loses nothing: the instance reconnects
// and reads again what was written while it was not listening.
func TestSharedStoreCatchesUpAfterItsListenerDrops(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openShared(t, url), openShared(t, url)
	ctx := context.Background()
	for round := range 3 {
		pid := b.follow.pid.Load()
		if _, err := a.pool.Exec(ctx, `SELECT pg_terminate_backend($1)`, int32(pid)); err != nil {
			t.Fatal(err)
		}
		// Write while B is (probably) reconnecting, and after.
		for i := range 30 {
			_, err := a.UpdateSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: fmt.Sprint("U", i%10)}, func(sub *herald.Subscriber, _ bool) error {
				sub.Kind, sub.State = herald.KindUser, herald.Subscribed
				sub.SetTags([]string{fmt.Sprint("r", round, "-", i%4)})
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		agree(t, url, b, fmt.Sprint("round ", round))
		deadline := time.Now().Add(30 * time.Second)
		for b.follow.pid.Load() == pid {
			if time.Now().After(deadline) {
				t.Fatal("B never reconnected its listener")
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Log bodies decode to what was encoded, across several rows when big.
func TestIndexLogRoundTrip(t *testing.T) {
	old := person(herald.LINE, "U1", "a")
	old.Seq = 9
	nw := person(herald.LINE, "U1", "b")
	nw.Seq = 9
	var changes []change
	for range 20000 {
		changes = append(changes, change{seq: 9, from: 3, to: 4, old: &old, new: &nw}, change{seq: 10, from: 1, to: 2, old: &old})
	}
	rs := []response{{button{"B-1", "b1"}, 9}}
	bodies := encodeLog(changes, rs)
	if len(bodies) < 2 {
		t.Fatalf("%d bodies for %d changes, want several", len(bodies), len(changes))
	}
	var gotC []change
	var gotR []response
	for _, b := range bodies {
		c, r, err := decodeLog(b)
		if err != nil {
			t.Fatal(err)
		}
		gotC, gotR = append(gotC, c...), append(gotR, r...)
	}
	if len(gotC) != len(changes) || gotC[0].to != 4 || gotC[0].new.Tags[0] != "b" || gotC[1].new != nil || gotC[1].old.ID != "U1" {
		t.Errorf("changes decoded wrong: %d, first %+v", len(gotC), gotC[0])
	}
	if len(gotR) != 1 || gotR[0] != rs[0] {
		t.Errorf("responses decoded %+v, want %+v", gotR, rs)
	}
}

// An instance out of touch longer than the log keeps rebuilds its index.
func TestSharedStoreRebuildsAfterALongGap(t *testing.T) {
	url := pgtest.URL(t)
	a, b := openShared(t, url), openShared(t, url)
	b.stopFollow()
	if err := a.PutSubscribers([]herald.Subscriber{person(herald.LINE, "U1", "vip"), person(herald.Telegram, "7")}); err != nil {
		t.Fatal(err)
	}
	// As if B last heard the others an hour ago: the log no longer says
	// what it missed.
	if _, err := a.pool.Exec(context.Background(), `DELETE FROM index_log`); err != nil {
		t.Fatal(err)
	}
	b.follow.heard = time.Now().Add(-time.Hour)
	b.startFollow()
	agree(t, url, b, "after a long gap")
}
