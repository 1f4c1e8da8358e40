package storagetest

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// A batch that fails applies nothing: its IDs are not remembered, its
// taps not counted and its subscribers not saved.
func failedInboundLeavesNothing(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	k1, k2 := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}
	ids := []string{"line:F1", "line:F2"}
	keys := []herald.SubscriberKey{k1, k2}
	taps := []herald.Tap{{BroadcastID: "B-F", ButtonID: "b1", Subscriber: k1}, {BroadcastID: "B-F", ButtonID: "b1", Subscriber: k2}}
	boom := errors.New("boom")
	_, err := s.RecordInbound(ids, keys, taps, func(i int, sub *herald.Subscriber, _ bool) error {
		if i == 1 {
			return boom
		}
		sub.Kind = herald.KindUser
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("RecordInbound = %v, want the callback's error", err)
	}
	if got, _ := s.Taps("B-F"); len(got) != 0 {
		t.Errorf("taps of a failed batch counted: %+v", got)
	}
	if _, err := s.Subscriber(k1); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("subscriber of a failed batch saved: %v", err)
	}
	repeat, err := s.RecordInbound(ids, keys, taps, func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; return nil })
	if err != nil || repeat[0] || repeat[1] {
		t.Fatalf("the same events again = %v, %v; want them applied", repeat, err)
	}
	if got, _ := s.Taps("B-F"); len(got) != 1 || got[0].Taps != 2 || got[0].Unique != 2 {
		t.Errorf("taps = %+v, want 2 by 2 people", got)
	}
}

// Deliveries of one event in batches that commit at once apply it once.
func concurrentRepeatsApplyOnce(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	const n = 8
	var wg sync.WaitGroup
	fresh := make([]bool, n)
	for g := range n {
		wg.Go(func() {
			k := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
			repeat, err := s.RecordInbound([]string{"line:C1"}, []herald.SubscriberKey{k},
				[]herald.Tap{{BroadcastID: "B-C", ButtonID: "b1", Subscriber: k}},
				func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; return nil })
			if err != nil {
				t.Error(err)
				return
			}
			fresh[g] = !repeat[0]
		})
	}
	wg.Wait()
	applied := 0
	for _, f := range fresh {
		if f {
			applied++
		}
	}
	if got, _ := s.Taps("B-C"); applied != 1 || len(got) != 1 || got[0].Taps != 1 {
		t.Errorf("%d of %d deliveries applied, taps %+v; want one", applied, n, got)
	}
}

func tapsCountPressesAndPeople(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	const b = "B-TAPS"
	u1, u2 := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, herald.SubscriberKey{Platform: herald.Telegram, ID: "U1"}
	taps := []herald.Tap{{BroadcastID: b, ButtonID: "b1", Subscriber: u1}, {BroadcastID: b, ButtonID: "b1", Subscriber: u1},
		{BroadcastID: b, ButtonID: "b1", Subscriber: u2}, {BroadcastID: b, ButtonID: "b2", Subscriber: u2},
		{BroadcastID: "B-TAPSX", ButtonID: "b1", Subscriber: u2}}
	if err := s.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, nil)
	if err := s.RecordTaps(taps[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Taps(b)
	want := []herald.TapCount{{ButtonID: "b1", Taps: 4, Unique: 2}, {ButtonID: "b2", Taps: 1, Unique: 1}}
	if !cmp.Equal(got, want) {
		t.Errorf("Taps = %+v, want %+v", got, want)
	}
	if got, err := s.Taps("B-NONE"); err != nil || len(got) != 0 {
		t.Errorf("Taps of a broadcast nobody tapped = %+v, %v", got, err)
	}
}

// Writers counting the same person's taps at once count every press and
// the person once.
func concurrentTapsCountOnePerson(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	u1, u2 := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			// Half the writers name the buttons in the other order: rows
			// are locked in one order whatever the batch's.
			taps := []herald.Tap{{BroadcastID: "B-X", ButtonID: "b1", Subscriber: u1}, {BroadcastID: "B-X", ButtonID: "b2", Subscriber: u2}}
			if g%2 == 1 {
				taps[0], taps[1] = taps[1], taps[0]
			}
			if err := s.RecordTaps(taps); err != nil {
				t.Error(err)
			}
			if err := s.RecordClicks([]herald.Click{{BroadcastID: "B-X", ButtonID: "l1", Seq: 9}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	want := []herald.TapCount{{ButtonID: "b1", Taps: 8, Unique: 1}, {ButtonID: "b2", Taps: 8, Unique: 1}}
	if got, _ := s.Taps("B-X"); !cmp.Equal(got, want) {
		t.Errorf("Taps = %+v, want %+v", got, want)
	}
	if got, _ := s.Clicks("B-X"); !cmp.Equal(got, []herald.TapCount{{ButtonID: "l1", Taps: 8, Unique: 1}}) {
		t.Errorf("Clicks = %+v, want 8 by one person", got)
	}
}

// Clicks count like taps; Clickers name the people by Seq; ButtonReach
// breaks each button's people down by platform account, leaving out a
// clicker since deleted.
func clicksClickersAndReach(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	line, tg := crowd.Person(herald.LINE, 1), crowd.Person(herald.Telegram, 2)
	shop := crowd.Person(herald.LINE, 3)
	shop.Account = "shop"
	gone := crowd.Person(herald.LINE, 4)
	if err := s.PutSubscribers([]herald.Subscriber{line, tg, shop, gone}); err != nil {
		t.Fatal(err)
	}
	seq := map[herald.SubscriberKey]uint32{}
	for _, u := range []herald.Subscriber{line, tg, shop, gone} {
		got, err := s.Subscriber(u.Key())
		if err != nil {
			t.Fatal(err)
		}
		seq[u.Key()] = got.Seq
	}
	const b = "B-CLK"
	clicks := []herald.Click{{BroadcastID: b, ButtonID: "l2", Seq: seq[tg.Key()]}, {BroadcastID: b, ButtonID: "l1", Seq: seq[line.Key()]},
		{BroadcastID: b, ButtonID: "l1", Seq: seq[line.Key()]}, {BroadcastID: b, ButtonID: "l1", Seq: seq[gone.Key()]},
		{BroadcastID: b, ButtonID: "l1", Seq: seq[shop.Key()]}, {BroadcastID: "B-OTHER", ButtonID: "l1", Seq: seq[tg.Key()]}}
	if err := s.RecordClicks(clicks); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordTaps([]herald.Tap{{BroadcastID: b, ButtonID: "b1", Subscriber: shop.Key()}, {BroadcastID: b, ButtonID: "b1", Subscriber: tg.Key()}}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(gone.Key()); err != nil {
		t.Fatal(err)
	}
	want := []herald.TapCount{{ButtonID: "l1", Taps: 4, Unique: 3}, {ButtonID: "l2", Taps: 1, Unique: 1}}
	if got, _ := s.Clicks(b); !cmp.Equal(got, want) {
		t.Errorf("Clicks = %+v, want %+v", got, want)
	}
	l1 := []uint32{seq[line.Key()], seq[shop.Key()], seq[gone.Key()]}
	if got, _ := s.Clickers(b, "l1"); !cmp.Equal(got, l1) {
		t.Errorf("Clickers of l1 = %v, want %v (by Seq)", got, l1)
	}
	if got, _ := s.Clickers(b, ""); !cmp.Equal(got, append(l1, seq[tg.Key()])) {
		t.Errorf("Clickers of any = %v, want l1's then l2's", got)
	}
	reach, err := s.ButtonReach(b)
	if err != nil {
		t.Fatal(err)
	}
	lineAcc, tgAcc, shopAcc := line.AccountOf(), tg.AccountOf(), shop.AccountOf()
	wantReach := map[string]map[herald.Account]int{
		"l1": {lineAcc: 1, shopAcc: 1},
		"l2": {tgAcc: 1},
		"b1": {shopAcc: 1, tgAcc: 1},
	}
	if diff := cmp.Diff(wantReach, reach); diff != "" {
		t.Errorf("ButtonReach (-want +got):\n%s", diff)
	}
	who, err := s.Responders(b, "")
	if err != nil {
		t.Fatal(err)
	}
	wantWho := map[uint32]bool{seq[line.Key()]: true, seq[tg.Key()]: true, seq[shop.Key()]: true, seq[gone.Key()]: true}
	if !cmp.Equal(who, wantWho) {
		t.Errorf("Responders = %v, want %v (a click keeps its Seq)", who, wantWho)
	}
	if who, _ := s.Responders(b, "b1"); !cmp.Equal(who, map[uint32]bool{seq[shop.Key()]: true, seq[tg.Key()]: true}) {
		t.Errorf("Responders of b1 = %v", who)
	}
}

// The click secret is made once: every caller, at once or after a
// restart, gets the same key.
func clickSecretIsOneForAll(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	const n = 6
	keys := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := s.ClickSecret()
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		})
	}
	wg.Wait()
	for _, k := range keys {
		if len(k) != storage.ClickSecretSize || !bytes.Equal(k, keys[0]) {
			t.Fatalf("keys %x and %x: want one of %d bytes", keys[0], k, storage.ClickSecretSize)
		}
	}
	s = o.Reopen(t, s, nil)
	if k, err := s.ClickSecret(); err != nil || !bytes.Equal(k, keys[0]) {
		t.Errorf("after a restart: %x, %v; want %x", k, err, keys[0])
	}
}

// retargetCountsMatch: the index's retarget counts agree with the taps and
// clicks read back (Responders), as taps come in and after a restart.
func retargetCountsMatch(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	crowd.Seed(t, s)
	now := c.Now()
	// Every 4th taps b1 of B-AAAA, every 6th clicks b2's link, every 9th
	// taps b2 of another broadcast; some twice.
	var taps []herald.Tap
	var clicks []herald.Click
	for i := 1; i <= 3000; i++ {
		p := herald.LINE
		if i%3 == 0 {
			p = herald.Telegram
		}
		if i%4 == 0 {
			taps = append(taps, herald.Tap{BroadcastID: "B-AAAA", ButtonID: "b1", Subscriber: crowd.Key(p, i), At: now})
		}
		if i%9 == 0 {
			taps = append(taps, herald.Tap{BroadcastID: "B-BBBB", ButtonID: "b2", Subscriber: crowd.Key(p, i), At: now})
		}
		if i%6 == 0 {
			sub, err := s.Subscriber(crowd.Key(p, i))
			if err != nil {
				t.Fatal(err)
			}
			clicks = append(clicks, herald.Click{BroadcastID: "B-AAAA", ButtonID: "b2", Seq: sub.Seq}, herald.Click{BroadcastID: "B-AAAA", ButtonID: "b2", Seq: sub.Seq})
		}
	}
	if err := s.RecordTaps(taps[:len(taps)/2]); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordClicks(clicks); err != nil {
		t.Fatal(err)
	}
	both := []herald.Platform{herald.LINE, herald.Telegram}
	audiences := map[string]*herald.Audience{
		"tapped any":        {Channels: both, Responses: []herald.Response{{BroadcastID: "B-AAAA"}}},
		"tapped b1":         {Channels: both, Responses: []herald.Response{{BroadcastID: "B-AAAA", ButtonID: "b1"}}},
		"clicked b2 vip":    {Channels: both, IncludeTags: []string{"vip"}, Responses: []herald.Response{{BroadcastID: "B-AAAA", ButtonID: "b2"}}},
		"did not tap":       {Channels: both, Responses: []herald.Response{{BroadcastID: "B-AAAA", Not: true}}},
		"b1 but not B-BBBB": {Channels: []herald.Platform{herald.LINE}, Responses: []herald.Response{{BroadcastID: "B-AAAA", ButtonID: "b1"}, {BroadcastID: "B-BBBB", Not: true}}},
		"nobody tapped":     {Channels: both, Responses: []herald.Response{{BroadcastID: "B-ZZZZ"}}},
		"nobody's button":   {Channels: both, Responses: []herald.Response{{BroadcastID: "B-AAAA", ButtonID: "b9", Not: true}}},
	}
	check := func(s storage.Backend, when string) {
		t.Helper()
		responded := respondedFromRecords(t, s)
		indexed := s.Responded()
		for name, a := range audiences {
			want, matched := 0, 0
			if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
				if a.MatchesWith(sub, now, responded) {
					want++
				}
				if a.MatchesWith(sub, now, indexed) {
					matched++
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			cnt, err := s.Count(a, herald.Marketing, now)
			if err != nil {
				t.Fatal(err)
			}
			if cnt.Total != want || matched != want {
				t.Errorf("%s, %s: index counts %d and matches %d, the records say %d", when, name, cnt.Total, matched, want)
			}
			if want == 0 && name != "nobody tapped" {
				t.Errorf("%s, %s: nobody matches, the test proves little", when, name)
			}
		}
	}
	check(s, "half the taps")
	if err := s.RecordTaps(taps[len(taps)/2:]); err != nil {
		t.Fatal(err)
	}
	check(s, "all taps")
	c.Add(time.Hour)
	s = o.Reopen(t, s, c.Now)
	check(s, "after reopen")
}

// respondedFromRecords answers retarget terms from the stored taps and
// clicks themselves (Responders): the scan the index must agree with.
func respondedFromRecords(t *testing.T, s storage.Backend) herald.RespondedFunc {
	cache := map[[2]string]map[uint32]bool{}
	return func(sub *herald.Subscriber, broadcastID, buttonID string) bool {
		k := [2]string{broadcastID, buttonID}
		if cache[k] == nil {
			who, err := s.Responders(broadcastID, buttonID)
			if err != nil {
				t.Fatal(err)
			}
			cache[k] = who
		}
		return cache[k][sub.Seq]
	}
}
