package storage

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func TestSubscribersRoundTripAndKeepSeqAndFirstSeen(t *testing.T) {
	s, c := openTest(t)
	subs := []herald.Subscriber{user(herald.LINE, 1, "VIP ", "tw"), user(herald.Telegram, 2), user(herald.Messenger, 3)}
	subs[0].Attributes = map[string]string{"plan": "gold"}
	subs[1].Kind, subs[1].ID = herald.KindGroup, "-100123"
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	for i, sub := range subs {
		if sub.Seq != uint32(i+1) || !sub.FirstSeen.Equal(c.Now()) {
			t.Errorf("subscriber %d: Seq %d, FirstSeen %v", i, sub.Seq, sub.FirstSeen)
		}
	}
	got, err := s.Subscriber(subs[0].Key())
	if err != nil {
		t.Fatal(err)
	}
	want := subs[0]
	want.Tags = []string{"tw", "vip"} // stored normalised
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	// Replacing keeps Seq and FirstSeen; new ones get the next Seq.
	c.Add(time.Hour)
	again := []herald.Subscriber{user(herald.LINE, 1), user(herald.LINE, 4)}
	again[0].Name = "Renamed"
	if err := s.PutSubscribers(again); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	got, _ = s.Subscriber(again[0].Key())
	if got.Seq != 1 || got.Name != "Renamed" || !got.FirstSeen.Equal(subs[0].FirstSeen) || len(got.Tags) != 0 {
		t.Errorf("replaced: %+v", got)
	}
	if got, _ := s.Subscriber(again[1].Key()); got.Seq != 4 {
		t.Errorf("new subscriber Seq = %d, want 4", got.Seq)
	}
}

func TestUpdateSubscriberCreatesOnceAndCannotMoveKeys(t *testing.T) {
	s, c := openTest(t)
	key := herald.SubscriberKey{Platform: herald.LINE, ID: "Uabc"}
	var seen []bool
	touch := func(sub *herald.Subscriber, created bool) error {
		seen = append(seen, created)
		sub.Kind = herald.KindUser
		sub.LastInteraction = c.Now()
		sub.AddTags("clicked")
		sub.ID, sub.Seq = "hijack", 999
		return nil
	}
	first, err := s.UpdateSubscriber(key, touch)
	if err != nil {
		t.Fatal(err)
	}
	c.Add(time.Minute)
	second, err := s.UpdateSubscriber(key, touch)
	if err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(seen, []bool{true, false}) || first.Seq != 1 || second.Seq != 1 || second.ID != "Uabc" ||
		!second.FirstSeen.Equal(first.FirstSeen) || second.State != herald.Subscribed {
		t.Errorf("created %v, first %+v, second %+v", seen, first, second)
	}
	if _, err := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "hijack"}); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("fn moved the subscriber: %v", err)
	}

	// Invalid results abort the whole batch, leaving everything as it was.
	keys := []herald.SubscriberKey{{Platform: herald.LINE, ID: "Unew"}, key}
	err = s.UpdateSubscribers(keys, func(i int, sub *herald.Subscriber, created bool) error {
		sub.Kind = herald.KindUser
		if i == 1 {
			sub.Timezone = "Mars/Olympus"
		}
		return nil
	})
	var verr *herald.ValidationError
	if !errors.As(err, &verr) || verr.Field != "timezone" {
		t.Fatalf("err = %v, want a timezone validation error", err)
	}
	if _, err := s.Subscriber(keys[0]); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("aborted batch created a subscriber: %v", err)
	}
}

func TestUpdateSubscribersSameKeyTwiceInOneBatch(t *testing.T) {
	s, _ := openTest(t)
	key := herald.SubscriberKey{Platform: herald.Telegram, ID: "42"}
	err := s.UpdateSubscribers([]herald.SubscriberKey{key, key}, func(i int, sub *herald.Subscriber, created bool) error {
		sub.Kind = herald.KindUser
		sub.AddTags(map[bool]string{true: "new", false: "again"}[created])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := s.Subscriber(key)
	if !cmp.Equal(got.Tags, []string{"again", "new"}) || got.Seq != 1 {
		t.Errorf("got %+v", got)
	}
}

func TestDeleteSubscriberErasesAndNeverReusesSeq(t *testing.T) {
	s, c := openTest(t)
	subs := []herald.Subscriber{user(herald.LINE, 1, "vip"), user(herald.LINE, 2, "vip")}
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(subs[1].Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscriber(subs[1].Key()); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("still there: %v", err)
	}
	s = reopen(t, s, c)
	back := []herald.Subscriber{user(herald.LINE, 2)}
	if err := s.PutSubscribers(back); err != nil {
		t.Fatal(err)
	}
	if back[0].Seq != 3 {
		t.Errorf("a returning person got Seq %d, want a fresh 3", back[0].Seq)
	}
}

func TestEachSubscriberStreamsInSeqOrderAcrossChunks(t *testing.T) {
	s, _ := openTest(t)
	const n = 2*subscriberChunk + 345
	batch := make([]herald.Subscriber, 0, 1000)
	for i := 1; i <= n; i++ {
		batch = append(batch, user(herald.LINE, i))
		if len(batch) == cap(batch) || i == n {
			if err := s.PutSubscribers(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	var last uint32
	count := 0
	var first *herald.Subscriber
	err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if sub.Seq != last+1 || sub.ID != user(herald.LINE, int(sub.Seq)).ID {
			t.Fatalf("after %d got Seq %d (%s)", last, sub.Seq, sub.ID)
		}
		if first == nil {
			first = sub
		} else if first != sub {
			t.Fatal("the streamed value is not reused")
		}
		last = sub.Seq
		count++
		return nil
	})
	if err != nil || count != n {
		t.Fatalf("streamed %d of %d: %v", count, n, err)
	}
	stop := errors.New("stop")
	count = 0
	err = s.EachSubscriber(func(*herald.Subscriber) error { count++; return stop })
	if !errors.Is(err, stop) || count != 1 {
		t.Errorf("fn's error should stop the stream: %v after %d", err, count)
	}
}

// TestConcurrentReadersDuringWrites runs under -race: readers see whole
// subscribers (never a half-written batch) while writers go on.
func TestConcurrentReadersDuringWrites(t *testing.T) {
	s, _ := openTest(t)
	seed := make([]herald.Subscriber, 500)
	for i := range seed {
		seed[i] = user(herald.LINE, i+1, "a")
	}
	if err := s.PutSubscribers(seed); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	done := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(done)
		for round := range 20 {
			batch := make([]herald.Subscriber, 100)
			for i := range batch {
				batch[i] = user(herald.LINE, round*100+i+1, "a", "round")
			}
			if err := s.PutSubscribers(batch); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	untilClosed(&wg, done, 3, func() bool { // readers
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
			return false
		}
		if _, err := s.Count(&herald.Audience{Channels: []herald.Platform{herald.LINE}}, herald.Marketing, time.Now()); err != nil {
			t.Error(err)
		}
		return true
	})
	wg.Wait()
}
