package storagetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// Subscribers is the subscriber part of the contract: subscribers'
// writes, reads, streams, moves and the audience index that answers from
// them.
func Subscribers(t *testing.T, o Opener) {
	t.Run("RoundTripKeepsSeqAndFirstSeen", func(t *testing.T) { subscribersRoundTrip(t, o) })
	t.Run("UpdateCreatesOnceAndCannotMoveKeys", func(t *testing.T) { updateCreatesOnce(t, o) })
	t.Run("SameKeyTwiceInOneBatch", func(t *testing.T) { sameKeyTwice(t, o) })
	t.Run("DeleteErasesAndNeverReusesSeq", func(t *testing.T) { deleteNeverReusesSeq(t, o) })
	t.Run("EachSubscriberStreamsInSeqOrder", func(t *testing.T) { eachSubscriberInOrder(t, o) })
	t.Run("BigBatchKeepsEveryRecord", func(t *testing.T) { bigBatch(t, o) })
	t.Run("BigBatchAbortsWhole", func(t *testing.T) { bigBatchAborts(t, o) })
	t.Run("FindByIDThenName", func(t *testing.T) { findByIDThenName(t, o) })
	t.Run("RecipientsAnswerAsSubscriberDoes", func(t *testing.T) { recipientsAnswer(t, o) })
	t.Run("NamedAccountIsAnotherSubscriber", func(t *testing.T) { namedAccount(t, o) })
	subscribersConcurrency(t, o)
	subscribersAudience(t, o)
	subscribersMoves(t, o)
}

func subscribersRoundTrip(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	subs := []herald.Subscriber{crowd.Person(herald.LINE, 1, "VIP ", "tw"), crowd.Person(herald.Telegram, 2), crowd.Person(herald.Messenger, 3)}
	subs[0].Attributes = map[string]string{"plan": "gold"}
	subs[1].Kind, subs[1].ID = herald.KindGroup, "-100123"
	putPeople(t, s, subs...)
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
	again := []herald.Subscriber{crowd.Person(herald.LINE, 1), crowd.Person(herald.LINE, 4)}
	again[0].Name = "Renamed"
	putPeople(t, s, again...)
	if o.Reopen != nil {
		s = o.Reopen(t, s, c.Now)
	}
	got, _ = s.Subscriber(again[0].Key())
	if got.Seq != 1 || got.Name != "Renamed" || !got.FirstSeen.Equal(subs[0].FirstSeen) || len(got.Tags) != 0 {
		t.Errorf("replaced: %+v", got)
	}
	if got, _ := s.Subscriber(again[1].Key()); got.Seq != 4 {
		t.Errorf("new subscriber Seq = %d, want 4", got.Seq)
	}
}

func updateCreatesOnce(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
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

	// Invalid results abort the whole batch, leaving everything as it was
	// (the index too).
	keys := []herald.SubscriberKey{{Platform: herald.LINE, ID: "Unew"}, key}
	err = s.UpdateSubscribers(keys, func(i int, sub *herald.Subscriber, created bool) error {
		sub.Kind = herald.KindUser
		sub.AddTags("aborted")
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
	if got, _ := s.Subscriber(key); got.HasTag("aborted") {
		t.Errorf("aborted batch changed a subscriber: %+v", got)
	}
	if tags := s.Tags(); len(tags) != 1 || tags[0] != (herald.TagCount{Tag: "clicked", Count: 1}) {
		t.Errorf("Tags after an aborted batch = %+v", tags)
	}
	// fn's own error aborts too, and is the caller's to see.
	stop := errors.New("stop")
	if err := s.UpdateSubscribers(keys, func(i int, _ *herald.Subscriber, _ bool) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error = %v", err)
	}
}

func sameKeyTwice(t *testing.T, o Opener) {
	s := o.Open(t, nil)
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
	if n := s.Tags(); len(n) != 2 || n[0].Count != 1 || n[1].Count != 1 {
		t.Errorf("Tags = %+v, want again and new once each", n)
	}
}

func deleteNeverReusesSeq(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	subs := []herald.Subscriber{crowd.Person(herald.LINE, 1, "vip"), crowd.Person(herald.LINE, 2, "vip")}
	putPeople(t, s, subs...)
	if err := s.DeleteSubscriber(subs[1].Key()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Subscriber(subs[1].Key()); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("still there: %v", err)
	}
	if err := s.DeleteSubscriber(subs[1].Key()); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deleting again: %v, want ErrNotFound", err)
	}
	vip := &herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}}
	if n, _ := s.Count(vip, herald.Marketing, c.Now()); n.Total != 1 {
		t.Errorf("vip counts %d after the erasure, want 1", n.Total)
	}
	if o.Reopen != nil {
		s = o.Reopen(t, s, c.Now)
	}
	back := []herald.Subscriber{crowd.Person(herald.LINE, 2)}
	putPeople(t, s, back...)
	if back[0].Seq != 3 {
		t.Errorf("a returning person got Seq %d, want a fresh 3", back[0].Seq)
	}
}

func eachSubscriberInOrder(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	const n = 2345 // more than two chunks of a stream
	batch := make([]herald.Subscriber, 0, 1000)
	for i := 1; i <= n; i++ {
		batch = append(batch, crowd.Person(herald.LINE, i))
		if len(batch) == cap(batch) || i == n {
			putPeople(t, s, batch...)
			batch = batch[:0]
		}
	}
	var last uint32
	count := 0
	var first *herald.Subscriber
	err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if sub.Seq != last+1 || sub.ID != crowd.Person(herald.LINE, int(sub.Seq)).ID {
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
	// A listing's next page resumes after the last Seq it showed.
	var from []uint32
	err = s.EachSubscriberFrom(1999, func(sub *herald.Subscriber) error {
		from = append(from, sub.Seq)
		return nil
	})
	if err != nil || len(from) != n-1999 || from[0] != 2000 || from[len(from)-1] != n {
		t.Errorf("EachSubscriberFrom(1999) streamed %d from %v: %v", len(from), from[:min(3, len(from))], err)
	}
	// /find by name scans them all, in Seq order.
	found, err := s.FindSubscribers("user 234", 0)
	var names []string
	for _, f := range found {
		names = append(names, f.Name)
	}
	if want := []string{"User 234", "User 2340", "User 2341", "User 2342", "User 2343", "User 2344", "User 2345"}; err != nil || !cmp.Equal(names, want) {
		t.Errorf("FindSubscribers(user 234) = %v, %v; want %v", names, err, want)
	}
}

// bigBatch writes one transaction of subscribers whose records fill
// several encode buffers (and one record larger than a whole buffer's
// slack), then reads every one back after a reopen.
func bigBatch(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	const n = 5000
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = crowd.Person(herald.Platforms[i%3], i+1, fmt.Sprintf("t%d", i%7))
		subs[i].Name = fmt.Sprintf("Person %d", i)
		subs[i].Attributes = map[string]string{"n": fmt.Sprint(i)}
	}
	subs[n/2].Attributes["note"] = strings.Repeat("x", 2000)
	putPeople(t, s, subs...)
	// Replacing them all in one batch (an import again) keeps their Seqs.
	for i := range subs {
		subs[i].Attributes["again"] = "yes"
	}
	putPeople(t, s, subs...)
	if o.Reopen != nil {
		s = o.Reopen(t, s, c.Now)
	}
	for i := range subs {
		got, err := s.Subscriber(subs[i].Key())
		if err != nil {
			t.Fatal(err)
		}
		want := subs[i]
		want.SetTags(want.Tags)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("subscriber %d after reopen (-want +got):\n%s", i, diff)
		}
	}
	// The rebuilt index sees each of them once.
	counts := map[string]int{}
	for _, tc := range s.Tags() {
		counts[tc.Tag] = tc.Count
	}
	for k := range 7 {
		want := (n + 6 - k) / 7
		if got := counts[fmt.Sprintf("t%d", k)]; got != want {
			t.Errorf("tag t%d: index counts %d, want %d", k, got, want)
		}
	}
}

// An import with one invalid subscriber stores none of them, new or
// replaced, and the index is as it was.
func bigBatchAborts(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	first := make([]herald.Subscriber, 1000)
	for i := range first {
		first[i] = crowd.Person(herald.LINE, i+1, "first")
	}
	putPeople(t, s, first...)
	again := make([]herald.Subscriber, 3000) // the first 1,000 again and 2,000 new
	for i := range again {
		again[i] = crowd.Person(herald.LINE, i+1, "again")
	}
	again[2999].Timezone = "Mars/Olympus"
	var verr *herald.ValidationError
	if err := s.PutSubscribers(again); !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a validation error", err)
	}
	n := 0
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		n++
		if !sub.HasTag("first") || sub.HasTag("again") {
			t.Fatalf("the aborted import changed %+v", sub)
		}
		return nil
	}); err != nil || n != 1000 {
		t.Errorf("%d subscribers after the aborted import, want 1000: %v", n, err)
	}
	if tags := s.Tags(); len(tags) != 1 || tags[0] != (herald.TagCount{Tag: "first", Count: 1000}) {
		t.Errorf("Tags after the aborted import = %+v", tags)
	}
}
