package dispatch_test

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// groupGate is a sleep hook that holds every wait for a group's gap (any
// wait longer than a minute: the test's GroupGap is an hour) until opened,
// and advances the test clock for the rest and, once open, for those too.
type groupGate struct {
	c       *clock
	waiting atomic.Int32
	open    chan struct{}
	once    sync.Once
}

func (g *groupGate) Sleep(ctx context.Context, d time.Duration) error {
	if d > time.Minute {
		g.waiting.Add(1)
		select {
		case <-g.open:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return g.c.Sleep(ctx, d)
}

func (g *groupGate) release() { g.once.Do(func() { close(g.open) }) }

// Groups wait out their gap in their own lane: with two workers and ten
// groups first in line, every group's second request waiting for its gap,
// all users still get both of their requests; once the gaps pass the
// groups get theirs, never two requests to one group within the gap, in
// this run or the next one.
func TestGroupsWaitTheirGapInTheirOwnLane(t *testing.T) {
	const groups, users, groupGap = 10, 30, time.Hour
	e := newEnv(t, nil)
	e.subscribe(herald.Telegram, groups, func(i int, s *herald.Subscriber) {
		s.ID, s.Kind, s.Name = strconv.Itoa(-100-i), herald.KindGroup, "Group "+strconv.Itoa(i)
	})
	e.subscribe(herald.Telegram, users, func(i int, s *herald.Subscriber) { s.ID = strconv.Itoa(5000 + i) })
	eng, gate := e.gatedTelegram(telegram.Config{ChatGap: time.Nanosecond, GroupGap: groupGap}, 2)
	e.startOn(eng, e.broadcastTo(lookbook, herald.Both))
	rec := e.fakes.Recorder
	count := func(from, n int) (total int) {
		for i := range n {
			total += len(rec.To("telegram", strconv.Itoa(from+i)))
		}
		return total
	}
	eventually(t, "every user has the album and its buttons while the groups wait", func() bool {
		return count(5000, users) == 2*users && gate.waiting.Load() > 0
	})
	if got := count(-100-groups+1, groups); got != groups {
		t.Fatalf("groups got %d requests before their gap passed, want %d (the albums only)", got, groups)
	}
	gate.release()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// The next broadcast to the same groups waits for their gap too.
	e.runOn(eng, e.broadcastTo(herald.Content{Kind: herald.TextContent, Text: "And one more thing"}, herald.Groups))
	for i := range groups {
		id := strconv.Itoa(-100 - i)
		got := rec.To("telegram", id)
		if len(got) != 3 {
			t.Fatalf("group %s got %d requests, want 3 (album, buttons, the next broadcast)", id, len(got))
		}
		sort.Slice(got, func(a, b int) bool { return got[a].At.Before(got[b].At) })
		for k := 1; k < len(got); k++ {
			if gap := got[k].At.Sub(got[k-1].At); gap < groupGap {
				t.Errorf("group %s got requests %d and %d %s apart, within its gap of %s", id, k-1, k, gap, groupGap)
			}
		}
	}
}

// gatedTelegram builds an engine of workers workers whose one sender is
// Telegram with cfg's gaps, and whose waits of more than a minute the
// gate holds until released.
func (e *env) gatedTelegram(cfg telegram.Config, workers int) (*dispatch.Engine, *groupGate) {
	e.t.Helper()
	gate := &groupGate{c: e.clock, open: make(chan struct{})}
	e.t.Cleanup(gate.release)
	cfg.Token, cfg.BaseURL = tgToken, e.url+"/telegram"
	tg, err := telegram.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	opts := e.opts
	opts.Workers, opts.Sleep = workers, gate.Sleep
	return e.engine(map[herald.Platform]dispatch.Sender{herald.Telegram: tg}, opts), gate
}

// startOn starts a broadcast on eng without waiting for it.
func (e *env) startOn(eng *dispatch.Engine, bid string) {
	e.t.Helper()
	if _, err := eng.Start(context.Background(), bid); err != nil {
		e.t.Fatal(err)
	}
}

// lookbook is an album with a button: two requests to each chat.
var lookbook = herald.Content{Kind: herald.ImageContent, Text: "Our autumn lookbook",
	Images:  []herald.Image{{URL: "https://img.example/1.jpg"}, {URL: "https://img.example/2.jpg"}},
	Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Shop", URL: "https://shop.example"}}}

// A chat's gap between the parts of a message holds no worker: with one
// worker and a gap of an hour, every user gets the album while the
// buttons wait; then each gets the buttons an hour after the album, and
// the message counts as one try, sent.
func TestChatGapsHoldNoWorker(t *testing.T) {
	const users, chatGap = 20, time.Hour
	e := newEnv(t, nil)
	e.subscribe(herald.Telegram, users, func(i int, s *herald.Subscriber) { s.ID = strconv.Itoa(5000 + i) })
	eng, gate := e.gatedTelegram(telegram.Config{ChatGap: chatGap}, 1)
	bid := e.broadcastTo(lookbook, herald.Users)
	e.startOn(eng, bid)
	rec := e.fakes.Recorder
	eventually(t, "every user has the album while the buttons wait", func() bool {
		return rec.Count("telegram") == users && gate.waiting.Load() > 0
	})
	// Were the process killed now, a resumed run would send only the
	// buttons: the albums are recorded.
	eventually(t, "every waiting recipient is recorded with the album delivered", func() bool {
		ds := e.deliveries(e.lastRun(bid).ID, herald.Pending)
		return len(ds) == users && !slices.ContainsFunc(ds, func(d herald.Delivery) bool { return d.PartsDone != 1 })
	})
	gate.release()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range users {
		got := rec.To("telegram", strconv.Itoa(5000+i))
		if len(got) != 2 || got[1].At.Sub(got[0].At) < chatGap {
			t.Fatalf("user %d got %d requests (want 2, %s apart): %+v", i, len(got), chatGap, got)
		}
	}
	for _, d := range e.deliveries(e.lastRun(bid).ID, "") {
		if d.Outcome != herald.Sent || d.Attempts != 1 {
			t.Errorf("recipient %d: %s after %d tries, want sent after 1", d.Seq, d.Outcome, d.Attempts)
		}
	}
}

// broadcastTo stores a Telegram broadcast to whom, ready to start.
func (e *env) broadcastTo(c herald.Content, whom herald.RecipientKind) string {
	e.t.Helper()
	b := herald.Broadcast{Name: "test " + e.t.Name() + " " + string(whom), Status: herald.StatusScheduled, Content: c,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: whom}, Category: herald.Marketing,
		Schedule: herald.Schedule{Kind: herald.SendNow, At: e.clock.Now()}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		e.t.Fatal(err)
	}
	return b.ID
}
