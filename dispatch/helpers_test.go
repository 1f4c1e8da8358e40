package dispatch_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

const (
	tgToken   = "777:engine-test"
	lineToken = "line-engine-test"
	pageToken = "page-engine-test"
)

// clock is the tests' time: the engine's waits (backoff, retry-after,
// limiter) advance it instead of sleeping, and the fakes read it, so a
// 429's window passes when the engine has waited it out.
type clock = platformtest.Clock

type env struct {
	t     *testing.T
	clock *clock
	st    *storage.Store
	fakes *platformtest.Server
	url   string
	eng   *dispatch.Engine
	rep   *reporter
	opts  dispatch.Options
}

// newEnv opens a real database, serves the fakes over HTTP and builds an
// engine with the real senders. tune adjusts the options.
func newEnv(t *testing.T, tune func(*dispatch.Options)) *env {
	t.Helper()
	c, st := dispatchtest.Open(t)
	fakes := platformtest.NewServer(c.Now)
	srv := httptest.NewServer(fakes.Handler())
	t.Cleanup(func() { fakes.Close(); srv.Close() })
	e := &env{t: t, clock: c, st: st, fakes: fakes, url: srv.URL, rep: &reporter{}}
	e.opts = dispatch.Options{Workers: 4, Now: c.Now, Sleep: c.Sleep, Jitter: func() float64 { return 0.5 },
		Limits: dispatch.Limits{Off: true, Headroom: 1}, Events: e.rep, ControlPoll: 50 * time.Millisecond}
	if tune != nil {
		tune(&e.opts)
	}
	e.eng = dispatchtest.Engine(t, st, senders(t, srv.URL), e.opts)
	return e
}

func senders(t testing.TB, base string) map[herald.Platform]dispatch.Sender {
	tg, err := telegram.New(telegram.Config{Token: tgToken, BaseURL: base + "/telegram"})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := line.New(line.Config{Token: lineToken, BaseURL: base + "/line"})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := messenger.New(messenger.Config{PageToken: pageToken, BaseURL: base + "/messenger"})
	if err != nil {
		t.Fatal(err)
	}
	return map[herald.Platform]dispatch.Sender{herald.Telegram: tg, herald.LINE: ln, herald.Messenger: ms}
}

// subscriberID is recipient i's ID on p, as the fakes know it.
func subscriberID(p herald.Platform, i int) string {
	switch p {
	case herald.Telegram:
		return strconv.Itoa(1000 + i)
	case herald.LINE:
		return fmt.Sprintf("U%032d", i)
	}
	return "psid" + strconv.Itoa(i)
}

// subscribe stores n subscribers on p who wrote an hour ago (inside
// Messenger's window).
func (e *env) subscribe(p herald.Platform, n int, edit func(i int, s *herald.Subscriber)) []herald.Subscriber {
	e.t.Helper()
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		s := herald.Subscriber{Platform: p, ID: subscriberID(p, i), Kind: herald.KindUser, Name: "Ann " + strconv.Itoa(i),
			State: herald.Subscribed, LastInteraction: e.clock.Now().Add(-time.Hour)}
		if edit != nil {
			edit(i, &s)
		}
		if p == herald.Messenger {
			e.fakes.Messenger.Interacted(s.ID, s.LastInteraction)
		}
		subs[i] = s
	}
	if err := e.st.PutSubscribers(subs); err != nil {
		e.t.Fatal(err)
	}
	return subs
}

// broadcast stores a broadcast ready to start.
func (e *env) broadcast(c herald.Content, channels ...herald.Platform) string {
	e.t.Helper()
	b := herald.Broadcast{Name: "test " + e.t.Name(), Status: herald.StatusScheduled, Content: c,
		Audience: herald.Audience{Channels: channels, Recipients: herald.Users}, Category: herald.Marketing,
		Schedule: herald.Schedule{Kind: herald.SendNow, At: e.clock.Now()}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		e.t.Fatal(err)
	}
	return b.ID
}

// start starts a broadcast and waits for the engine to go idle.
func (e *env) start(bid string) herald.Run {
	e.t.Helper()
	if _, err := e.eng.Start(context.Background(), bid); err != nil {
		e.t.Fatal(err)
	}
	return e.wait(bid)
}

// startSlowRun starts a broadcast to 300 Telegram users, sent by two
// workers at 5 ms a message, and returns once 20 have gone out: a run
// still sending, to pause, resume or cancel.
func startSlowRun(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnv(t, func(o *dispatch.Options) { o.Workers = 2 })
	e.fakes.Telegram.Faults.SetLatency(5 * time.Millisecond)
	e.subscribe(herald.Telegram, 300, nil)
	bid := e.broadcast(hello, herald.Telegram)
	if _, err := e.eng.Start(context.Background(), bid); err != nil {
		t.Fatal(err)
	}
	eventually(t, "sending started", func() bool { return e.fakes.Recorder.Count("telegram") >= 20 })
	return e, bid
}

// engine builds another engine on e's store, shut down when the test ends.
func (e *env) engine(senders map[herald.Platform]dispatch.Sender, opts dispatch.Options) *dispatch.Engine {
	return dispatchtest.Engine(e.t, e.st, senders, opts)
}

// runOn starts a broadcast on eng and waits until eng is idle.
func (e *env) runOn(eng *dispatch.Engine, bid string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := eng.Start(ctx, bid); err != nil {
		e.t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		e.t.Fatal(err)
	}
}

// wait waits until no run is active and returns the broadcast's last run.
func (e *env) wait(bid string) herald.Run {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := e.eng.Wait(ctx); err != nil {
		e.t.Fatal("engine did not go idle:", err)
	}
	return e.lastRun(bid)
}

func (e *env) lastRun(bid string) herald.Run {
	e.t.Helper()
	runs, err := e.st.RunsOf(bid)
	if err != nil || len(runs) == 0 {
		e.t.Fatalf("runs of %s: %v %v", bid, runs, err)
	}
	return runs[len(runs)-1]
}

// deliveries lists a run's records with the given outcome ("" for all).
func (e *env) deliveries(runID string, o herald.Outcome) []herald.Delivery {
	e.t.Helper()
	ds, err := e.st.Deliveries(runID, o, 0, 1<<30)
	if err != nil {
		e.t.Fatal(err)
	}
	return ds
}

// reporter keeps what the engine reported.
type reporter struct {
	mu       sync.Mutex
	progress []herald.Progress
	reports  []herald.Report
}

func (r *reporter) Publish(ctx context.Context, e herald.Event) {
	switch e := e.(type) {
	case herald.RunProgress:
		r.Progress(ctx, e.Progress)
	case herald.RunFinished:
		r.Finished(ctx, e.Report)
	}
}

func (r *reporter) Progress(_ context.Context, p herald.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, p)
}

func (r *reporter) Finished(_ context.Context, rep herald.Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, rep)
}

func (r *reporter) last() (herald.Report, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reports) == 0 {
		return herald.Report{}, false
	}
	return r.reports[len(r.reports)-1], true
}

// eventually polls cond (a condition on what the fakes received, never on
// time) until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 3000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}
