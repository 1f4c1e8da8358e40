package dispatch_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/schedule"
)

// events returns the progress reported so far.
func (r *reporter) events() []herald.Progress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]herald.Progress(nil), r.progress...)
}

// The admin chat hears of a pause when it takes effect and of a resume at
// once, before anything more is sent: the progress message never shows
// "paused" for a run that is sending again.
func TestPauseAndResumeAreToldAtOnce(t *testing.T) {
	e, bid := startSlowRun(t)
	ctx := context.Background()
	before := len(e.rep.events())
	if _, err := e.eng.Pause(ctx, bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	told := e.rep.events()[before:]
	if len(told) == 0 || told[len(told)-1].Status != herald.RunPaused {
		t.Fatalf("when Pause returned, the last progress said %+v; want paused", told)
	}
	paused := e.wait(bid).Tally[herald.Telegram].Done()

	before = len(e.rep.events())
	if _, err := e.eng.Resume(ctx, bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "progress after the resume", func() bool { return len(e.rep.events()) > before })
	first := e.rep.events()[before]
	if first.Status != herald.RunSending || first.PauseReason != "" || first.Sum().Done() != paused {
		t.Errorf("first progress after Resume: %s (%q), %d done; want sending with the %d done at the pause",
			first.Status, first.PauseReason, first.Sum().Done(), paused)
	}
	if run := e.wait(bid); run.Status != herald.RunCompleted {
		t.Errorf("run %s after resume, want completed", run.Status)
	}
}

// A run at each person's own 09:00 says, while it waits for the next
// zone, how many wait and until when — and gives no ETA for them.
func TestWaitingRecipientsAreReportedWithTheNextGroup(t *testing.T) {
	zones := schedule.NewZones(time.UTC)
	tz := []string{"Asia/Tokyo", "Asia/Tokyo", "Asia/Tokyo", "America/New_York", "America/New_York"}
	var e *env
	var b herald.Broadcast
	nyNine := time.Date(2026, 11, 24, 9, 0, 0, 0, zones.Get("America/New_York")).UTC()
	e = newEnv(t, func(o *dispatch.Options) {
		o.DeliverAt = func(b *herald.Broadcast, s *herald.Subscriber, now time.Time) time.Time {
			return zones.DeliverAt(b, s, nil, now)
		}
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if d >= time.Minute { // the pager waits for New York: what does the chat see?
				eventually(t, "progress telling who waits", func() bool {
					ev := e.rep.events()
					p := ev[len(ev)-1]
					return p.Waiting == 2 && p.NextAt.Equal(nyNine) && p.Due() == 0 && p.ETA == 0 && p.Sum().Sent == 3
				})
			}
			return e.clock.Sleep(ctx, d)
		}
	})
	e.subscribe(herald.Telegram, len(tz), func(i int, s *herald.Subscriber) { s.Timezone = tz[i] })
	b = herald.Broadcast{Name: "morning hello", Status: herald.StatusScheduled, Content: hello,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-11-24 09:00"}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	tokyoNine := time.Date(2026, 11, 24, 9, 0, 0, 0, zones.Get("Asia/Tokyo"))
	e.clock.Sleep(t.Context(), tokyoNine.Sub(e.clock.Now())) // the scheduler fires here
	run := e.start(b.ID)
	if run.Status != herald.RunCompleted || run.Tally[herald.Telegram].Sent != 5 {
		t.Fatalf("run %s %+v, want all 5 sent", run.Status, run.Tally)
	}
	if rep, ok := e.rep.last(); !ok || rep.Waiting != 0 {
		t.Errorf("the report still counts waiting recipients: %+v", rep)
	}
}

// A run resumed after a pause (or a restart) has no snapshot to count its
// waiting recipients from: it reads them from storage, and the chat again
// hears how many wait and until when.
func TestResumedRunCountsItsWaitingRecipientsAgain(t *testing.T) {
	zones := schedule.NewZones(time.UTC)
	var e *env
	var bid string
	nyNine := time.Date(2026, 11, 24, 9, 0, 0, 0, zones.Get("America/New_York")).UTC()
	waits := 0
	e = newEnv(t, func(o *dispatch.Options) {
		o.DeliverAt = func(b *herald.Broadcast, s *herald.Subscriber, now time.Time) time.Time {
			return zones.DeliverAt(b, s, nil, now)
		}
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			if d < time.Minute {
				return e.clock.Sleep(ctx, d)
			}
			if waits++; waits == 1 { // first wait for New York: pause it there
				go func() { _, _ = e.eng.Pause(context.Background(), bid, "telegram:42") }()
				<-ctx.Done()
				return ctx.Err()
			}
			eventually(t, "the resumed run telling who waits", func() bool {
				ev := e.rep.events()
				p := ev[len(ev)-1]
				return p.Status == herald.RunSending && p.Waiting == 2 && p.NextAt.Equal(nyNine) && p.Due() == 0
			})
			return e.clock.Sleep(ctx, d)
		}
	})
	tz := []string{"Asia/Tokyo", "America/New_York", "America/New_York"}
	e.subscribe(herald.Telegram, len(tz), func(i int, s *herald.Subscriber) { s.Timezone = tz[i] })
	b := herald.Broadcast{Name: "morning hello", Status: herald.StatusScheduled, Content: hello,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-11-24 09:00"}}
	if err := e.st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	bid = b.ID
	tokyoNine := time.Date(2026, 11, 24, 9, 0, 0, 0, zones.Get("Asia/Tokyo"))
	e.clock.Sleep(t.Context(), tokyoNine.Sub(e.clock.Now()))
	if run := e.start(bid); run.Status != herald.RunPaused {
		t.Fatalf("run %s, want paused while it waited for New York", run.Status)
	}
	if _, err := e.eng.Resume(context.Background(), bid, "telegram:42"); err != nil {
		t.Fatal(err)
	}
	if run := e.wait(bid); run.Status != herald.RunCompleted || run.Tally[herald.Telegram].Sent != 3 {
		t.Fatalf("run %s %+v, want all 3 sent", run.Status, run.Tally)
	}
	if waits < 2 {
		t.Fatal("the resumed run never waited for New York")
	}
}
