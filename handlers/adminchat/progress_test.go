package adminchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
)

// A 10,000-recipient run reporting after every 10 deliveries, 50 ms apart
// (1,000 events in 50 s), edits its message at most once per Interval;
// the counts held back show once due, and the final state always shows,
// however soon after the last edit the run ends.
func TestProgressIsThrottledAndTheFinalStateAlwaysShows(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Winter sale", herald.Origin{}, nil)
	runID := b.ID + "/1"
	at := func(done int, status herald.RunStatus) herald.Progress {
		p := r.progress(b, runID, status, 10000, herald.Tally{Sent: done, Pending: 10000 - done})
		p.Rate, p.ETA = 200, time.Duration(10000-done)*5*time.Millisecond
		return p
	}
	for done := 10; done <= 10000; done += 10 {
		r.rep.Progress(ctx, at(done, herald.RunSending))
		r.rep.Wait() // posts are asynchronous; let each finish so the count is exact
		r.clock.Add(50 * time.Millisecond)
	}
	// Shown at 0 s, 3 s, … 48 s: 17 messages for 1,000 events.
	shown := r.progressShown()
	if len(shown) != 17 {
		t.Fatalf("1,000 progress events were shown %d times; want 17 (one per 3 s)", len(shown))
	}
	mustContain(t, "first progress", shown[0], "📤 Winter sale ("+b.ID+") — sending", "10 / 10,000",
		"type: /pause "+b.ID+" (⏸ Pause) · /cancel "+b.ID+" (🛑 Cancel broadcast)")
	mustLack(t, "latest progress shown", shown[16], "10,000 / 10,000")

	// The last 2 seconds of counts were held back; Flush shows them once due.
	r.rep.Flush(ctx)
	if n := len(r.progressShown()); n != 17 {
		t.Fatalf("Flush showed held-back counts before the interval passed (%d messages)", n)
	}
	r.clock.Add(3 * time.Second)
	r.rep.Flush(ctx)
	shown = r.progressShown()
	if len(shown) != 18 {
		t.Fatalf("Flush did not show the held-back counts once due (%d messages)", len(shown))
	}
	mustContain(t, "flushed progress", shown[17], "10,000 / 10,000")

	// The run ends 10 ms after that edit: the final state shows anyway.
	r.clock.Add(10 * time.Millisecond)
	final := at(10000, herald.RunCompleted)
	r.rep.Progress(ctx, final) // throttled…
	r.rep.Finished(ctx, herald.Report{Progress: final, Duration: 53 * time.Second})
	shown = r.progressShown()
	if len(shown) != 19 {
		t.Fatalf("want the final state shown once more, got %d progress messages", len(shown))
	}
	mustContain(t, "final progress", shown[18], "— completed", "████████████████████ 100%", "10,000 / 10,000 · ✅ 10,000 sent")
	mustLack(t, "final progress", shown[18], "type:", "⚡")
	mustContain(t, "report", r.last(), "📊 Report: Winter sale ("+b.ID+") — completed", "⏱ Took 53 s")

	// Progress of a finished run is stale: it changes nothing.
	r.clock.Add(time.Minute)
	r.rep.Progress(ctx, at(9990, herald.RunSending))
	r.rep.Flush(ctx)
	if n := len(r.progressShown()); n != 19 {
		t.Errorf("a late event of a finished run was shown (%d progress messages)", n)
	}
}

// Pause, Resume, then completion: each state shows in full and nothing of
// the one before lingers — no "paused" line and no Resume button once the
// run is sending again.
func TestPausedThenResumedThenCompleted(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Spring sale", herald.Origin{}, nil)
	runID := b.ID + "/1"

	p := r.progress(b, runID, herald.RunSending, 1000, herald.Tally{Sent: 300, Failed: 20, Pending: 680})
	p.Rate, p.ETA = 29.1, 23*time.Second
	r.rep.Progress(ctx, p)
	mustContain(t, "sending", r.last(), "— sending", "32%", "320 / 1,000 · ✅ 300 sent · ❌ 20 failed · ⏭ 0 skipped",
		"⚡ 29.1/s · ⏳ about 30 s left", "/pause "+b.ID)

	// An admin pauses: the in-flight sends finish and are counted.
	r.clock.Add(3 * time.Second)
	p = r.progress(b, runID, herald.RunPaused, 1000, herald.Tally{Sent: 304, Failed: 20, Pending: 676})
	p.Rate = 29.1
	r.rep.Progress(ctx, p)
	paused := r.last()
	mustContain(t, "paused", paused, "— paused", "324 / 1,000", "Nothing more goes out until someone presses ▶️ Resume.",
		"type: /resume "+b.ID+" (▶️ Resume) · /cancel "+b.ID+" (🛑 Cancel broadcast) · /errors "+b.ID+" (⚠️ Errors)")
	mustLack(t, "paused", paused, "⚡", "/pause")

	// Resumed: dispatch says so at once, before anything more is sent.
	r.clock.Add(3 * time.Second)
	r.rep.Progress(ctx, r.progress(b, runID, herald.RunSending, 1000, herald.Tally{Sent: 304, Failed: 20, Pending: 676}))
	resumed := r.last()
	mustContain(t, "resumed", resumed, "— sending", "324 / 1,000", "⚡ Speed and time left: calculating…", "/pause "+b.ID)
	mustLack(t, "resumed", resumed, "paused", "Paused", "Resume", "/errors")

	r.clock.Add(time.Second) // within the interval: the completion still shows
	done := r.progress(b, runID, herald.RunCompleted, 1000, herald.Tally{Sent: 980, Failed: 20})
	r.rep.Finished(ctx, herald.Report{Progress: done, Duration: 4*time.Minute + 12*time.Second,
		Failures: []herald.ReasonCount{{Platform: herald.LINE, Reason: "HTTP 500", Count: 20}}})
	msgs := r.shown()
	final, report := msgs[len(msgs)-2], msgs[len(msgs)-1]
	mustContain(t, "final progress", final, "— completed", "1,000 / 1,000 · ✅ 980 sent · ❌ 20 failed")
	mustLack(t, "final progress", final, "paused", "type:", "⚡")
	mustContain(t, "report", report, "⏱ Took 4 min 12 s")
}

// A canceled run settles everyone not reached as skipped; its bar shows
// what really went out, not 100%.
func TestCanceledRunsBarShowsWhatWasSent(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Flash sale", herald.Origin{}, nil)
	r.rep.Progress(ctx, r.progress(b, b.ID+"/1", herald.RunSending, 1000, herald.Tally{Sent: 300, Pending: 700}))
	r.clock.Add(time.Minute)
	canceled := r.progress(b, b.ID+"/1", herald.RunCanceled, 1000, herald.Tally{Sent: 300, Skipped: 700})
	r.rep.Progress(ctx, canceled)
	r.rep.Finished(ctx, herald.Report{Progress: canceled, Duration: time.Minute})
	shown := r.progressShown()
	last := shown[len(shown)-1]
	mustContain(t, "canceled progress", last, "— canceled", "██████░░░░░░░░░░░░░░ 30%", "✅ 300 sent", "⏭ 700 skipped")
	mustLack(t, "canceled progress", last, "100%")
}

// A run that paused itself says why with its figures, and what to do.
func TestAutomaticPauseSaysWhyAndWhatToDo(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Flash sale", herald.Origin{}, nil)
	p := r.progress(b, b.ID+"/1", herald.RunPaused, 5000, herald.Tally{Sent: 188, Failed: 13, Pending: 4799})
	p.AutoPause = &herald.AutoPause{Failed: 13, Finished: 201, Threshold: 0.05}
	p.PauseReason = p.AutoPause.String()
	r.rep.Progress(ctx, p)
	mustContain(t, "auto-paused progress", r.last(), "— paused",
		"⚠️ Paused automatically: 13 of 201 deliveries failed (6.5%), more than the 5% allowed. Look at ⚠️ Errors, then press ▶️ Resume or 🛑 Cancel broadcast.",
		"/errors "+b.ID)
	// Read back from the stored run (after a restart), only the reason is
	// left: it says the same, not the stored English.
	p.AutoPause = nil
	r.clock.Add(time.Minute)
	r.rep.Progress(ctx, p)
	mustContain(t, "auto-paused progress read back", r.last(), "⚠️ Paused automatically: 13 of 201 deliveries failed (6.5%), more than the 5% allowed.")
	mustLack(t, "auto-paused progress read back", r.last(), "threshold")
}

// Recipients waiting for their own 09:00 are not in the ETA: the message
// says when the next of them go out, in the bot's timezone and from now.
func TestWaitingForTheirOwnTimeShowsTheNextGroupNotAnETA(t *testing.T) {
	taipei, err := time.LoadLocation("Asia/Taipei")
	if err != nil {
		t.Fatal(err)
	}
	r := newRig(t, func(o *adminchat.Options) { o.Location = taipei })
	ctx := context.Background()
	b := r.broadcast("Morning hello", herald.Origin{}, func(b *herald.Broadcast) {
		b.Schedule = herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-11-24 09:00"}
	})
	runID := b.ID + "/1"

	// Tokyo's 09:00 group is being sent; Taipei's and London's wait.
	p := r.progress(b, runID, herald.RunSending, 1000, herald.Tally{Sent: 100, Pending: 900})
	p.Waiting, p.NextAt = 700, start.Add(time.Hour)
	p.Rate, p.ETA = 10, 20*time.Second
	r.rep.Progress(ctx, p)
	mustContain(t, "progress while a group is sent", r.last(), "⚡ 10.0/s · ⏳ about 20 s left for this group",
		"🕘 700 wait for 09:00 in their own timezone · next group at 18:00 Asia/Taipei (in 1 h)")

	// Tokyo done: nothing is due until Taipei's 09:00.
	r.clock.Add(30 * time.Second)
	p = r.progress(b, runID, herald.RunSending, 1000, herald.Tally{Sent: 300, Pending: 700})
	p.Waiting, p.NextAt, p.Rate = 700, start.Add(time.Hour), 6.7
	r.rep.Progress(ctx, p)
	waiting := r.last()
	mustContain(t, "progress between groups", waiting, "300 / 1,000",
		"🕘 700 wait for 09:00 in their own timezone · next group at 18:00 Asia/Taipei (in 1 h)")
	mustLack(t, "progress between groups", waiting, "⚡", "left")
}

// Quiet hours hold recipients of any broadcast; a later day shows the date.
func TestQuietHoursWaitShowsTheDateWhenNotToday(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Newsletter", herald.Origin{}, nil)
	p := r.progress(b, b.ID+"/1", herald.RunSending, 50, herald.Tally{Sent: 20, Pending: 30})
	p.Waiting, p.NextAt = 30, start.Add(26*time.Hour+30*time.Minute)
	r.rep.Progress(ctx, p)
	mustContain(t, "progress", r.last(),
		"🌙 30 wait for their quiet hours to end · next group at 2026-11-24 11:30 UTC (in 26 h 30 min)")
}

// Held recipients are counted apart from pending ones, with what happens
// to them.
func TestHeldForOperatorChatIsExplained(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Promo", herald.Origin{}, nil)
	p := r.progress(b, b.ID+"/1", herald.RunSending, 10, herald.Tally{Sent: 8})
	p.Held = 2
	r.rep.Progress(ctx, p)
	text := r.last()
	mustContain(t, "progress", text, "8 / 10", "💬 2 held while their operator chat is open; they get it when the chat ends")
	mustLack(t, "progress", text, "⚡") // nothing is due: no rate to show
	if !strings.Contains(text, "/cancel "+b.ID) {
		t.Errorf("a run waiting for held recipients can still be canceled:\n%s", text)
	}
}

// A run that reaches LINE · Main and LINE · Shop shows, under its counts,
// where each account stands, failures named; one reaching one account per
// platform does not.
func TestProgressBreaksDownByAccount(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Two shops", herald.Origin{}, nil)
	p := r.progress(b, b.ID+"/1", herald.RunSending, 70, herald.Tally{Sent: 51, Failed: 1, Pending: 18})
	p.Accounts = map[herald.Account]herald.Tally{{Platform: herald.LINE}: {Sent: 40, Pending: 10},
		{Platform: herald.LINE, Name: "shop"}: {Sent: 11, Failed: 1, Pending: 8}}
	r.rep.Progress(ctx, p)
	mustContain(t, "progress", r.last(), "52 / 70", "LINE 40/50 · LINE · Shop 12/20 ❌ 1")

	b2 := r.broadcast("One shop", herald.Origin{}, nil)
	p = r.progress(b2, b2.ID+"/1", herald.RunSending, 20, herald.Tally{Sent: 12, Pending: 8})
	p.Accounts = map[herald.Account]herald.Tally{{Platform: herald.LINE, Name: "shop"}: {Sent: 12, Pending: 8}}
	r.rep.Progress(ctx, p)
	mustLack(t, "progress of a run on LINE · Shop alone", r.last(), "12/20")
}
