package storage

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
)

// A broadcast's responses come back per bin as the people who first
// tapped and first clicked in it: a second press, another button pressed
// later, a response before the run and another broadcast's taps are not
// counted again; taps recorded without a time count in the totals only.
// The times survive a restart.
func TestResponseTimelineCountsPeopleAtTheirFirstResponse(t *testing.T) {
	s, c := openTest(t)
	seedAudience(t, s)
	start := c.Now()
	tap := func(button string, i int, after time.Duration) herald.Tap {
		return herald.Tap{BroadcastID: "B-AAAA", ButtonID: button, Subscriber: key(herald.LINE, i), At: start.Add(after)}
	}
	taps := []herald.Tap{
		tap("b1", 1, 5*time.Minute), tap("b1", 1, 20*time.Minute), tap("b2", 1, 10*time.Minute), // one person, first at 5 min
		tap("b1", 2, 14*time.Minute+59*time.Second),
		tap("b1", 3, 15*time.Minute), tap("b1", 4, 2*time.Hour),
		tap("b1", 5, -2*time.Hour), // an earlier run's
		{BroadcastID: "B-AAAA", ButtonID: "b1", Subscriber: key(herald.LINE, 6)}, // no time
		tap("b1", 7, 30*time.Hour), // after the bins
		{BroadcastID: "B-BBBB", ButtonID: "b1", Subscriber: key(herald.LINE, 8), At: start.Add(time.Minute)},
	}
	if err := s.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	var clicks []herald.Click
	for i, after := range []time.Duration{time.Minute, time.Minute, 16 * time.Minute, 23*time.Hour + 59*time.Minute} {
		sub, err := s.Subscriber(key(herald.Telegram, 3*(i+1)))
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
			s = reopen(t, s, c)
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
