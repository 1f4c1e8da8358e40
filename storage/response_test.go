package storage

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// respondedFromRecords answers retarget terms from the tap and click
// buckets themselves: the scan the index must agree with.
func respondedFromRecords(t *testing.T, s *Store) herald.RespondedFunc {
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

func TestRetargetCountsMatchTheTapsAndClicks(t *testing.T) {
	s, c := openTest(t)
	seedAudience(t, s)
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
			taps = append(taps, herald.Tap{BroadcastID: "B-AAAA", ButtonID: "b1", Subscriber: key(p, i), At: now})
		}
		if i%9 == 0 {
			taps = append(taps, herald.Tap{BroadcastID: "B-BBBB", ButtonID: "b2", Subscriber: key(p, i), At: now})
		}
		if i%6 == 0 {
			sub, err := s.Subscriber(key(p, i))
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
	check := func(s *Store, when string) {
		t.Helper()
		responded := respondedFromRecords(t, s)
		for name, a := range audiences {
			want := 0
			if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
				if a.MatchesWith(sub, now, responded) {
					want++
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			cnt, err := s.Count(a, herald.Marketing, now)
			if err != nil {
				t.Fatal(err)
			}
			if cnt.Total != want {
				t.Errorf("%s, %s: index counts %d, the records say %d", when, name, cnt.Total, want)
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
	s = reopen(t, s, c)
	check(s, "after reopen")
}
