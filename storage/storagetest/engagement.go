package storagetest

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

// Engagement is the contract of what comes back from end users (inbound
// events, taps, clicks, responses) and of the admin side (sessions,
// admins, audit, chat records, media).
func Engagement(t *testing.T, o Opener) {
	t.Run("SeenEventsExpireAfterTheWindow", func(t *testing.T) { seenEventsExpire(t, o) })
	t.Run("SeenWithinOneBatch", func(t *testing.T) { seenWithinOneBatch(t, o) })
	t.Run("FailedInboundLeavesNothing", func(t *testing.T) { failedInboundLeavesNothing(t, o) })
	t.Run("ConcurrentRepeatsApplyOnce", func(t *testing.T) { concurrentRepeatsApplyOnce(t, o) })
	t.Run("TapsCountPressesAndPeople", func(t *testing.T) { tapsCountPressesAndPeople(t, o) })
	t.Run("ConcurrentTapsCountOnePerson", func(t *testing.T) { concurrentTapsCountOnePerson(t, o) })
	t.Run("ClicksClickersAndReach", func(t *testing.T) { clicksClickersAndReach(t, o) })
	t.Run("ClickSecretIsOneForAll", func(t *testing.T) { clickSecretIsOneForAll(t, o) })
	t.Run("RetargetCountsMatchTheTapsAndClicks", func(t *testing.T) { retargetCountsMatch(t, o) })
	t.Run("ResponseTimelineCountsPeopleAtTheirFirstResponse", func(t *testing.T) { responseTimeline(t, o) })
	t.Run("SessionsAdminsAndMediaRoundTrip", func(t *testing.T) { sessionsAdminsAndMedia(t, o) })
	t.Run("AuditLogNewestFirstByTarget", func(t *testing.T) { auditLogNewestFirst(t, o) })
	t.Run("ChatRecordsByKind", func(t *testing.T) { chatRecordsByKind(t, o) })
	t.Run("InboundStartsSequences", func(t *testing.T) { inboundStartsSequences(t, o) })
}

// tapOnce records one event: a LINE user's tap with the platform's ID id,
// and reports whether it was a repeat.
func tapOnce(t *testing.T, s storage.Backend, id string) bool {
	t.Helper()
	k := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
	repeat, err := s.RecordInbound([]string{id}, []herald.SubscriberKey{k}, []herald.Tap{{BroadcastID: "B-1", ButtonID: "b1", Subscriber: k}},
		func(_ int, sub *herald.Subscriber, _ bool) error {
			sub.Kind = herald.KindUser
			sub.AddTags("tapped")
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	return repeat[0]
}

// An event ID is remembered for at least SeenWindow, across a restart, and
// forgotten some time after that.
func seenEventsExpire(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	if tapOnce(t, s, "line:E1") {
		t.Fatal("a first delivery was taken for a repeat")
	}
	if !tapOnce(t, s, "line:E1") {
		t.Fatal("an exact repeat was applied again")
	}
	long := "messenger:p:PSID1:1732345200000:" + strings.Repeat("x", 500) // kept as a hash
	if tapOnce(t, s, long) || !tapOnce(t, s, long) {
		t.Fatal("a long ID was not recognised on its repeat")
	}
	c.Add(storage.SeenWindow - time.Second)
	s = o.Reopen(t, s, c.Now)
	if !tapOnce(t, s, "line:E1") {
		t.Fatal("a repeat within the window, after a restart, was applied again")
	}
	if taps, _ := s.Taps("B-1"); len(taps) != 1 || taps[0].Taps != 2 {
		t.Fatalf("taps = %+v, want E1 and the long one counted once each", taps)
	}
	c.Add(storage.SeenWindow/6 + time.Second) // bbolt forgets a slot (a sixth of the window) at once
	if tapOnce(t, s, "line:E1") {
		t.Error("an ID older than the window is still remembered")
	}
	if !tapOnce(t, s, "line:E1") {
		t.Error("an ID recorded again after it was forgotten is not remembered")
	}
}

// Two deliveries of one event in the same batch apply it once; events
// without an ID always apply.
func seenWithinOneBatch(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	k := herald.SubscriberKey{Platform: herald.Telegram, ID: "7"}
	keys := []herald.SubscriberKey{k, k, k, k}
	n := 0
	repeat, err := s.RecordInbound([]string{"telegram:1", "telegram:1", "", ""}, keys, make([]herald.Tap, 4),
		func(_ int, sub *herald.Subscriber, _ bool) error { sub.Kind = herald.KindUser; n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if want := []bool{false, true, false, false}; !slices.Equal(repeat, want) || n != 3 {
		t.Errorf("repeat = %v with %d applied, want %v and 3", repeat, n, want)
	}
	if _, err := s.RecordInbound([]string{"a", "b"}, keys[:1], make([]herald.Tap, 2), nil); err == nil {
		t.Error("IDs, keys and taps that do not line up are not an error")
	}
}

// responseTimeline: a broadcast's responses come back per bin as the
// people who first tapped and first clicked in it: a second press,
// another button pressed later, a response before the run and another
// broadcast's taps are not counted again; taps recorded without a time
// count in the totals only. The times survive a restart.
func responseTimeline(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	crowd.Seed(t, s)
	start := c.Now()
	tap := func(button string, i int, after time.Duration) herald.Tap {
		return herald.Tap{BroadcastID: "B-AAAA", ButtonID: button, Subscriber: crowd.Key(herald.LINE, i), At: start.Add(after)}
	}
	taps := []herald.Tap{
		tap("b1", 1, 5*time.Minute), tap("b1", 1, 20*time.Minute), tap("b2", 1, 10*time.Minute), // one person, first at 5 min
		tap("b1", 2, 14*time.Minute+59*time.Second),
		tap("b1", 3, 15*time.Minute), tap("b1", 4, 2*time.Hour),
		tap("b1", 5, -2*time.Hour), // an earlier run's
		{BroadcastID: "B-AAAA", ButtonID: "b1", Subscriber: crowd.Key(herald.LINE, 6)}, // no time
		tap("b1", 7, 30*time.Hour), // after the bins
		{BroadcastID: "B-BBBB", ButtonID: "b1", Subscriber: crowd.Key(herald.LINE, 8), At: start.Add(time.Minute)},
	}
	if err := s.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	var clicks []herald.Click
	for i, after := range []time.Duration{time.Minute, time.Minute, 16 * time.Minute, 23*time.Hour + 59*time.Minute} {
		sub, err := s.Subscriber(crowd.Key(herald.Telegram, 3*(i+1)))
		if err != nil {
			t.Fatal(err)
		}
		clicks = append(clicks, herald.Click{BroadcastID: "B-AAAA", ButtonID: "b3", Seq: sub.Seq, At: start.Add(after)},
			herald.Click{BroadcastID: "B-AAAA", ButtonID: "b3", Seq: sub.Seq, At: start.Add(after + time.Hour)})
	}
	if err := s.RecordClicks(clicks); err != nil {
		t.Fatal(err)
	}
	want := herald.ResponseTimeline{Start: start, Bin: 15 * time.Minute, Taps: make([]int, 96), Clicks: make([]int, 96)}
	want.Taps[0], want.Taps[1], want.Taps[8] = 2, 1, 1
	want.Clicks[0], want.Clicks[1], want.Clicks[95] = 2, 1, 1
	for restart := range 2 {
		if restart == 1 {
			s = o.Reopen(t, s, c.Now)
		}
		got, err := s.ResponseTimeline("B-AAAA", start, 15*time.Minute, 96)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("timeline (-want +got):\n%s", diff)
		}
		counts, err := s.Taps("B-AAAA")
		if err != nil || len(counts) != 2 || counts[0].Unique != 7 {
			t.Errorf("taps = %+v, %v; want 7 people on b1, the one without a time too", counts, err)
		}
	}
	if _, err := s.ResponseTimeline("B-AAAA", start, 0, 96); err == nil {
		t.Error("zero-width bins are not an error")
	}
}
