package line_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/metrics"
)

// What operators scrape while a run sends and after: one observation of
// herald_send_duration_seconds per request LINE saw (accepted or answered
// 429), one herald_rate_limited_total per 429, and herald_queue_depth at
// the run's recipients while it sends, back to 0 once it ends.
func TestRunMovesSendMetrics(t *testing.T) {
	m := metrics.New()
	peek := &queuePeek{Metrics: m, t: t}
	c, st, fake, rec, eng := newObservedLineRig(t, peek)

	const n = 1200 // three multicasts, each of three parts
	b, _ := lookbook(t, st, n, c.Now())
	fake.Faults.FailNext(2, 429)

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := eng.Start(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	accepted := map[int64]bool{}
	for _, d := range rec.Deliveries("line") {
		accepted[d.RequestID] = true
	}
	tooMany := 0
	for _, r := range rec.Rejected("line") {
		if r.Status == 429 {
			tooMany++
		}
	}
	if len(accepted) != 9 || tooMany != 2 {
		t.Fatalf("LINE accepted %d requests and answered %d with 429; the test wants 9 and 2", len(accepted), tooMany)
	}

	series := dispatchtest.Scrape(t, m.Handler())
	for name, want := range map[string]float64{
		`herald_send_duration_seconds_count{account="main",channel="line"}`: float64(len(accepted) + len(rec.Rejected("line"))),
		`herald_rate_limited_total{account="main",channel="line"}`:          float64(tooMany),
		`herald_queue_depth{account="main",channel="line"}`:                 0,
	} {
		if got, ok := series[name]; !ok || got != want {
			t.Errorf("after the run, /metrics has %s %v (present: %t), want %v", name, got, ok, want)
		}
	}
	if peek.mid != n {
		t.Errorf("while the run sent, herald_queue_depth was %v, want its %d recipients", peek.mid, n)
	}
}

// A paused run's recipients wait on nobody: herald_queue_depth drops to
// 0 when the pause takes effect though some are still pending; resumed,
// the run sends them and leaves it at 0 again.
func TestPausedRunLeavesTheQueue(t *testing.T) {
	m := metrics.New()
	peek := &queuePeek{Metrics: m, t: t}
	c, st, _, rec, eng := newObservedLineRig(t, peek)
	const n = 40 // personalised: one push each
	dispatchtest.LINEUsers(t, st, n)
	b := herald.Broadcast{Name: "Hello", Status: herald.StatusScheduled,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Hello {name}"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users},
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: c.Now()}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	peek.then = func() {
		if _, err := eng.Pause(ctx, b.ID, "console:alice"); err != nil {
			t.Error(err)
		}
	}
	run, err := eng.Start(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	depth := `herald_queue_depth{account="main",channel="line"}`
	if run, err = st.Run(run.ID); err != nil || run.Status != herald.RunPaused || run.Tally[herald.LINE].Pending == 0 {
		t.Fatalf("after the pause: %+v (%v); want it paused with recipients pending", run, err)
	}
	if got := dispatchtest.Scrape(t, m.Handler())[depth]; got != 0 || peek.mid != n {
		t.Errorf("herald_queue_depth was %v while sending, %v once paused with %d pending; want %d, then 0",
			peek.mid, got, run.Tally[herald.LINE].Pending, n)
	}

	if _, err := eng.Resume(ctx, b.ID, "console:alice"); err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	series := dispatchtest.Scrape(t, m.Handler())
	if got := series[depth]; got != 0 || rec.Recipients("line") != n {
		t.Errorf("after the resumed run, %d of %d got it and herald_queue_depth is %v, want 0", rec.Recipients("line"), n, got)
	}
	if got := series[`herald_send_duration_seconds_count{account="main",channel="line"}`]; got != float64(rec.Count("line")) {
		t.Errorf("herald_send_duration_seconds counted %v requests, LINE took %d", got, rec.Count("line"))
	}
}

// queuePeek is the metrics the engine reports to; it scrapes the queue
// depth once, as the run's first request is answered (nothing committed
// yet: every recipient still waits), then calls then (if set).
type queuePeek struct {
	*metrics.Metrics
	t    *testing.T
	once sync.Once
	mid  float64
	then func()
}

func (p *queuePeek) SendDone(acc herald.Account, d time.Duration) {
	p.once.Do(func() {
		p.mid = dispatchtest.Scrape(p.t, p.Handler())[`herald_queue_depth{account="main",channel="line"}`]
		if p.then != nil {
			p.then()
		}
	})
	p.Metrics.SendDone(acc, d)
}
