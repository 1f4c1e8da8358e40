package audience_test

import (
	"maps"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// population is a small, hand-made set of subscribers with one trait each
// worth targeting; the expected audiences below are written in their IDs.
func population() []*herald.Subscriber {
	mk := func(seq uint32, p herald.Platform, id string, kind herald.SubscriberKind, ago time.Duration, tags []string, kv ...string) *herald.Subscriber {
		s := &herald.Subscriber{Seq: seq, Platform: p, ID: id, Kind: kind, State: herald.Subscribed}
		if ago >= 0 {
			s.LastInteraction = now.Add(-ago)
		}
		s.SetTags(tags)
		if len(kv) > 0 {
			s.Attributes = map[string]string{}
			for i := 0; i+1 < len(kv); i += 2 {
				s.Attributes[kv[i]] = kv[i+1]
			}
		}
		return s
	}
	const never = -1
	u, g := herald.KindUser, herald.KindGroup
	subs := []*herald.Subscriber{
		mk(1, herald.LINE, "l1", u, time.Hour, []string{"vip", "beta"}, "city", "Taipei", "points", "10", "signup", "2026-01-15"),
		mk(2, herald.LINE, "l2", u, 40*day, []string{"news"}, "city", "Tainan", "points", "9", "plan", "pro"),
		mk(3, herald.LINE, "l3", g, 2*day, []string{"vip"}),
		mk(4, herald.Telegram, "t1", u, 10*day, []string{"vip", "staff"}, "plan", "Pro", "signup", "2025-12-31T23:00:00Z"),
		mk(5, herald.Telegram, "t2", u, never, []string{"beta"}),
		mk(6, herald.Telegram, "t3", g, time.Hour, []string{"news"}),
		mk(7, herald.Messenger, "m1", u, 2*time.Hour, []string{"vip"}, "points", "100"),
		mk(8, herald.Messenger, "m2", u, 30*time.Hour, []string{"beta"}),
		mk(9, herald.Messenger, "m3", u, never, nil),
		mk(10, herald.LINE, "u1", u, time.Hour, []string{"vip"}),
		mk(11, herald.Telegram, "b1", u, time.Hour, []string{"vip"}),
	}
	subs[0].OperatorChat = true
	subs[9].State = herald.Unsubscribed
	subs[10].State = herald.Blocked
	return subs
}

func newIndex(subs []*herald.Subscriber) *audience.Index {
	x := audience.NewIndex()
	for _, s := range subs {
		x.Put(nil, s)
	}
	return x
}

// ids names the subscribers in the index's answer, for readable diffs.
func ids(t *testing.T, x *audience.Index, subs []*herald.Subscriber, a *herald.Audience) []string {
	t.Helper()
	var out []string
	m := x.Match(a, now)
	for _, s := range subs {
		if m.Contains(s.Seq) {
			out = append(out, s.ID)
		}
	}
	return out
}

func TestIndexMatchesEveryOperator(t *testing.T) {
	all := herald.Platforms
	users := func(mod func(a *herald.Audience)) *herald.Audience {
		a := &herald.Audience{Channels: all, Recipients: herald.Users}
		mod(a)
		return a
	}
	attr := func(k string, op herald.AttrOp, v string) func(a *herald.Audience) {
		return func(a *herald.Audience) { a.Attributes = []herald.AttrCondition{{Key: k, Op: op, Value: v}} }
	}
	tests := []struct {
		name string
		a    *herald.Audience
		want []string
	}{
		{"everyone, users", users(func(*herald.Audience) {}), []string{"l1", "l2", "t1", "t2", "m1", "m2", "m3"}},
		{"groups only", &herald.Audience{Channels: all, Recipients: herald.Groups}, []string{"l3", "t3"}},
		{"users and groups", &herald.Audience{Channels: all, Recipients: herald.Both}, []string{"l1", "l2", "l3", "t1", "t2", "t3", "m1", "m2", "m3"}},
		{"empty recipients means users", &herald.Audience{Channels: []herald.Platform{herald.Telegram}}, []string{"t1", "t2"}},
		{"unknown recipients match nobody", &herald.Audience{Channels: all, Recipients: "bots"}, nil},
		{"one channel", users(func(a *herald.Audience) { a.Channels = []herald.Platform{herald.LINE} }), []string{"l1", "l2"}},
		{"no channel", users(func(a *herald.Audience) { a.Channels = nil }), nil},
		{"any of two tags", users(func(a *herald.Audience) { a.IncludeTags, a.TagMatch = []string{"vip", "beta"}, herald.AnyTag }), []string{"l1", "t1", "t2", "m1", "m2"}},
		{"all of two tags", users(func(a *herald.Audience) { a.IncludeTags, a.TagMatch = []string{"vip", "beta"}, herald.AllTags }), []string{"l1"}},
		{"all tags, one nobody has", users(func(a *herald.Audience) { a.IncludeTags, a.TagMatch = []string{"vip", "ghost"}, herald.AllTags }), nil},
		{"any tag nobody has", users(func(a *herald.Audience) { a.IncludeTags, a.TagMatch = []string{"ghost"}, herald.AnyTag }), nil},
		{"exclude wins over include", users(func(a *herald.Audience) {
			a.IncludeTags, a.TagMatch, a.ExcludeTags = []string{"vip"}, herald.AnyTag, []string{"staff"}
		}), []string{"l1", "m1"}},
		{"exclude any of", users(func(a *herald.Audience) { a.ExcludeTags = []string{"beta", "news", "ghost"} }), []string{"t1", "m1", "m3"}},
		{"active within a day", users(func(a *herald.Audience) { a.Activity = &herald.Activity{Op: herald.ActiveWithin, Period: day} }), []string{"l1", "m1"}},
		{"active within, cutoff is inclusive", users(func(a *herald.Audience) { a.Activity = &herald.Activity{Op: herald.ActiveWithin, Period: time.Hour} }), []string{"l1"}},
		{"active within a year skips never-interacted", users(func(a *herald.Audience) { a.Activity = &herald.Activity{Op: herald.ActiveWithin, Period: 365 * day} }), []string{"l1", "l2", "t1", "m1", "m2"}},
		{"not since a week includes never-interacted", users(func(a *herald.Audience) { a.Activity = &herald.Activity{Op: herald.InactiveFor, Period: 7 * day} }), []string{"l2", "t1", "t2", "m3"}},
		{"not since, just past the cutoff", users(func(a *herald.Audience) {
			a.Activity = &herald.Activity{Op: herald.InactiveFor, Period: time.Hour - time.Nanosecond}
		}), []string{"l1", "l2", "t1", "t2", "m1", "m2", "m3"}},
		{"unknown activity op", users(func(a *herald.Audience) { a.Activity = &herald.Activity{Op: "since", Period: day} }), nil},
		{"eq ignores case", users(attr("city", herald.AttrEq, "TAIPEI")), []string{"l1"}},
		{"ne includes those without the attribute", users(attr("city", herald.AttrNe, "taipei")), []string{"l2", "t1", "t2", "m1", "m2", "m3"}},
		{"contains", users(attr("city", herald.AttrContains, "tai")), []string{"l1", "l2"}},
		{"exists", users(attr("plan", herald.AttrExists, "")), []string{"l2", "t1"}},
		{"missing", users(attr("plan", herald.AttrMissing, "")), []string{"l1", "t2", "m1", "m2", "m3"}},
		{"missing key nobody has", users(attr("nope", herald.AttrMissing, "")), []string{"l1", "l2", "t1", "t2", "m1", "m2", "m3"}},
		{"eq on a key nobody has", users(attr("nope", herald.AttrEq, "x")), nil},
		{"gt compares numbers, not text", users(attr("points", herald.AttrGt, "9")), []string{"l1", "m1"}},
		{"lt numbers", users(attr("points", herald.AttrLt, "10")), []string{"l2"}},
		{"gt dates", users(attr("signup", herald.AttrGt, "2026-01-01")), []string{"l1"}},
		{"lt dates with RFC 3339", users(attr("signup", herald.AttrLt, "2026-01-01")), []string{"t1"}},
		{"gt with text never matches", users(attr("city", herald.AttrGt, "5")), nil},
		{"unknown attribute op", users(attr("city", "regex", ".*")), nil},
		{"every attribute must hold", users(func(a *herald.Audience) {
			a.Attributes = []herald.AttrCondition{{Key: "city", Op: herald.AttrContains, Value: "tai"}, {Key: "plan", Op: herald.AttrEq, Value: "PRO"}}
		}), []string{"l2"}},
		{"selected on one platform", users(func(a *herald.Audience) {
			a.SelectedPlatform, a.Selected = herald.LINE, []string{"l2", "l1", "t1", "nobody", "u1"}
		}), []string{"l1", "l2"}},
		{"selected on a channel not chosen", users(func(a *herald.Audience) {
			a.Channels, a.SelectedPlatform, a.Selected = []herald.Platform{herald.LINE}, herald.Telegram, []string{"t1"}
		}), nil},
		{"selected still filtered", users(func(a *herald.Audience) {
			a.SelectedPlatform, a.Selected, a.ExcludeTags = herald.Telegram, []string{"t1", "t2"}, []string{"staff"}
		}), []string{"t2"}},
		{"unsubscribed and blocked never", &herald.Audience{Channels: all, Recipients: herald.Both, IncludeTags: []string{"vip"}, TagMatch: herald.AnyTag}, []string{"l1", "l3", "t1", "m1"}},
		{"everything at once", users(func(a *herald.Audience) {
			a.IncludeTags, a.TagMatch, a.ExcludeTags = []string{"vip", "beta"}, herald.AnyTag, []string{"staff"}
			a.Activity = &herald.Activity{Op: herald.ActiveWithin, Period: 7 * day}
			a.Attributes = []herald.AttrCondition{{Key: "city", Op: herald.AttrExists}}
		}), []string{"l1"}},
	}
	subs := population()
	x := newIndex(subs)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(t, x, subs, tt.a)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("index audience (-want +got):\n%s", diff)
			}
			var ref []string
			for _, s := range subs {
				if tt.a.Matches(s, now) {
					ref = append(ref, s.ID)
				}
			}
			if diff := cmp.Diff(ref, got); diff != "" {
				t.Errorf("index disagrees with herald.Audience.Matches (-matches +index):\n%s", diff)
			}
		})
	}
}

func TestIndexCountBreakdown(t *testing.T) {
	x := newIndex(population())
	a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both}
	want := herald.Count{
		Total:      9,
		ByPlatform: map[herald.Platform]int{herald.LINE: 3, herald.Telegram: 3, herald.Messenger: 3},
		Users:      7, Groups: 2,
		OutsideWindow: 2, // m2 wrote 30 h ago, m3 never
		NeverWrote:    1, // m3
		OperatorChats: 1, // l1
	}
	if diff := cmp.Diff(want, x.Count(a, herald.Marketing, now)); diff != "" {
		t.Errorf("marketing count (-want +got):\n%s", diff)
	}
	want.OutsideWindow, want.NeverWrote = 0, 0 // tagged non-marketing messages may go outside the window
	if diff := cmp.Diff(want, x.Count(a, herald.NonMarketing, now)); diff != "" {
		t.Errorf("non-marketing count (-want +got):\n%s", diff)
	}
	line := &herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users, IncludeTags: []string{"ghost"}, TagMatch: herald.AnyTag}
	if diff := cmp.Diff(herald.Count{ByPlatform: map[herald.Platform]int{}}, x.Count(line, herald.Marketing, now)); diff != "" {
		t.Errorf("empty count (-want +got):\n%s", diff)
	}
}

func TestIndexFollowsUpdates(t *testing.T) {
	subs := population()
	x := newIndex(subs)
	vip := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both, IncludeTags: []string{"vip"}, TagMatch: herald.AnyTag}

	// l1 loses vip and moves city; m1 unsubscribes; u1 comes back; t1 is erased.
	l1 := *subs[0]
	l1.RemoveTags("vip")
	l1.Attributes = map[string]string{"city": "Tokyo"}
	x.Put(subs[0], &l1)
	m1 := *subs[6]
	m1.State = herald.Unsubscribed
	x.Put(subs[6], &m1)
	u1 := *subs[9]
	u1.State = herald.Subscribed
	x.Put(subs[9], &u1)
	x.Put(subs[3], nil)
	subs[0], subs[6], subs[9] = &l1, &m1, &u1

	if diff := cmp.Diff([]string{"l3", "u1"}, ids(t, x, subs, vip)); diff != "" {
		t.Errorf("vip after updates (-want +got):\n%s", diff)
	}
	tokyo := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Users,
		Attributes: []herald.AttrCondition{{Key: "city", Op: herald.AttrEq, Value: "tokyo"}}}
	if diff := cmp.Diff([]string{"l1"}, ids(t, x, subs, tokyo)); diff != "" {
		t.Errorf("city=tokyo after update (-want +got):\n%s", diff)
	}
	if got := x.TagCounts(); !cmp.Equal(got, map[string]int{"vip": 2, "beta": 3, "news": 2}) {
		t.Errorf("TagCounts = %v; staff went with t1, vip left l1, m1 and t1", got)
	}
	if x.Reachable(herald.SubscriberKey{Platform: herald.Telegram, ID: "t1"}) || x.Reachable(herald.SubscriberKey{Platform: herald.Messenger, ID: "m1"}) {
		t.Error("an erased or unsubscribed subscriber is still Reachable")
	}
	if !x.Reachable(herald.SubscriberKey{Platform: herald.LINE, ID: "u1"}) {
		t.Error("a resubscribed subscriber is not Reachable")
	}
	if got := x.Len(); got != 8 {
		t.Errorf("Len = %d, want 8", got)
	}
}

func TestIndexMatchIsTheCallers(t *testing.T) {
	subs := population()
	x := newIndex(subs)
	a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both}
	m := x.Match(a, now)
	m.Clear() // must not empty the index
	if got := x.Count(a, herald.NonMarketing, now).Total; got != 9 {
		t.Errorf("after clearing a Match result, Count = %d, want 9", got)
	}
	if got := slices.Sorted(maps.Keys(x.TagCounts())); !slices.Equal(got, []string{"beta", "news", "staff", "vip"}) {
		t.Errorf("tags = %v", got)
	}
}

// TestIndexManyValuedAttributes covers keys with more distinct values than
// the index keeps as bitmaps alone (points, dates): every operator still
// agrees with Matches, through inserts, value changes and removals.
func TestIndexManyValuedAttributes(t *testing.T) {
	var subs []*herald.Subscriber
	x := audience.NewIndex()
	for i := range 300 {
		s := &herald.Subscriber{Seq: uint32(i + 1), Platform: herald.LINE, ID: "p" + strconv.Itoa(i), Kind: herald.KindUser}
		if i%7 != 0 {
			s.Attributes = map[string]string{
				"points": strconv.Itoa(i % 250),
				"signup": now.AddDate(0, 0, -i).Format("2006-01-02"),
			}
		}
		x.Put(nil, s)
		subs = append(subs, s)
	}
	for i := 0; i < 300; i += 5 { // change some values, drop others
		old, upd := subs[i], *subs[i]
		switch {
		case i%10 == 0:
			upd.Attributes = map[string]string{"points": "1e2"}
		case i%3 == 0:
			upd.Attributes = nil
		default:
			upd.Attributes = map[string]string{"points": strconv.Itoa(1000 + i), "signup": "someday"}
		}
		x.Put(old, &upd)
		subs[i] = &upd
	}
	x.Put(subs[299], nil)
	subs = subs[:299]
	conds := []herald.AttrCondition{
		{Key: "points", Op: herald.AttrGt, Value: "120"}, {Key: "points", Op: herald.AttrLt, Value: "100"},
		{Key: "points", Op: herald.AttrEq, Value: "100"}, {Key: "points", Op: herald.AttrNe, Value: "100"},
		{Key: "points", Op: herald.AttrContains, Value: "1"}, {Key: "points", Op: herald.AttrMissing},
		{Key: "points", Op: herald.AttrExists}, {Key: "signup", Op: herald.AttrLt, Value: "2026-01-01"},
		{Key: "signup", Op: herald.AttrGt, Value: "2025-12-01"}, {Key: "signup", Op: herald.AttrNe, Value: "SOMEDAY"},
	}
	for _, c := range conds {
		a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Users, Attributes: []herald.AttrCondition{c}}
		var want []string
		for _, s := range subs {
			if a.Matches(s, now) {
				want = append(want, s.ID)
			}
		}
		if diff := cmp.Diff(want, ids(t, x, subs, a)); diff != "" {
			t.Errorf("%s %s %q (-matches +index):\n%s", c.Key, c.Op, c.Value, diff)
		}
	}
}

// TestIndexOneWriterManyReaders is for -race: storage's writer Puts while
// admins' counts and a dispatch Match run.
func TestIndexOneWriterManyReaders(t *testing.T) {
	subs := population()
	x := newIndex(subs)
	a := &herald.Audience{Channels: herald.Platforms, Recipients: herald.Both, IncludeTags: []string{"vip"}, TagMatch: herald.AnyTag}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if c := x.Count(a, herald.Marketing, now); c.Total < 3 || c.Total > 4 {
					t.Errorf("count %d while one subscriber flips", c.Total)
					return
				}
				x.Match(a, now)
				x.TagCounts()
			}
		})
	}
	off := *subs[0]
	off.RemoveTags("vip")
	for i := range 2000 {
		if i%2 == 0 {
			x.Put(subs[0], &off)
		} else {
			x.Put(&off, subs[0])
		}
	}
	close(done)
	wg.Wait()
}
