package telegram

import (
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
)

func TestProgressIsThrottledAndTheReportBringsTheErrorsCSV(t *testing.T) {
	r := newAdminRig(t)
	ctx := context.Background()
	b := herald.Broadcast{Name: "Winter sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: "-1001234", UserID: "11", UserName: "Alice"}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	runID := flowsrig.AddRun(t, r.store, b.ID, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U-gone-1"}, Outcome: herald.Failed, Reason: herald.ReasonBlocked, Attempts: 1},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U-gone-2"}, Outcome: herald.Failed, Reason: herald.ReasonBlocked, Attempts: 1},
		{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U-5xx"}, Outcome: herald.Failed, Reason: "HTTP 500", Attempts: 3},
	})
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.a}, Broadcasts: r.store,
		Catalog: r.cat, Interval: 3 * time.Second, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	started := clock.Now()
	progress := func(done int, status herald.RunStatus) herald.Progress {
		failed := min(done/3000, 3)
		return herald.Progress{BroadcastID: b.ID, RunID: runID, Status: status, Total: 10000,
			Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: done - failed, Failed: failed, Pending: 10000 - done}},
			Rate:     200, ETA: time.Duration(10000-done) * 5 * time.Millisecond, StartedAt: started, At: clock.Now()}
	}

	// A 10,000-recipient run reports after every 10 deliveries, 50 ms
	// apart: 1,000 events over 50 seconds.
	rep.Progress(ctx, progress(10, herald.RunSending))
	rep.Wait()
	first := r.sent()
	if len(first) != 1 || !strings.Contains(first[0].Text, "Winter sale ("+b.ID+") — sending") ||
		!strings.Contains(first[0].ReplyMarkup, `"/pause `+b.ID+`"`) || !strings.Contains(first[0].ReplyMarkup, `"/cancel `+b.ID+`"`) {
		t.Fatalf("first progress message: %+v", first)
	}
	for done := 20; done <= 10000; done += 10 {
		clock.Add(50 * time.Millisecond)
		rep.Progress(ctx, progress(done, herald.RunSending))
		rep.Wait() // sends are asynchronous; let each finish so the count is exact
	}
	// The last 2 seconds of counts were held back; the ticker's Flush
	// shows them once due.
	before := r.sent()[0].Edits
	clock.Add(3 * time.Second)
	rep.Flush(ctx)
	rep.Wait()
	if n := r.sent()[0].Edits; n != before+1 || !strings.Contains(r.sent()[0].Text, "10,000 / 10,000") {
		t.Fatalf("Flush did not show the held-back counts (edits %d → %d)", before, n)
	}
	final := progress(10000, herald.RunCompleted)
	rep.Finished(ctx, herald.Report{Progress: final, Duration: clock.Now().Sub(started),
		Failures: []herald.ReasonCount{{Platform: herald.LINE, Reason: herald.ReasonBlocked, Count: 2}, {Platform: herald.LINE, Reason: "HTTP 500", Count: 1}},
		Skips:    []herald.ReasonCount{{Platform: herald.LINE, Reason: herald.ReasonOutsideWindow, Count: 4}}})
	rep.Wait()

	msgs := r.sent()
	if len(msgs) != 2 {
		t.Fatalf("want the progress message and the report, got %d messages", len(msgs))
	}
	prog := msgs[0]
	// 50 s at one edit per 3 s: 16 edits, one by Flush, one final state.
	if prog.Edits != 18 {
		t.Fatalf("progress message edited %d times for 1,000 events; want 18", prog.Edits)
	}
	t.Logf("1,000 progress events → %d edits", prog.Edits)
	for _, want := range []string{"— completed", "████████████████████ 100%", "10,000 / 10,000 · ✅ 9,997 sent · ❌ 3 failed"} {
		if !strings.Contains(prog.Text, want) {
			t.Errorf("final progress lacks %q:\n%s", want, prog.Text)
		}
	}
	if prog.ReplyMarkup != "" {
		t.Errorf("a finished run still offers %s", prog.ReplyMarkup)
	}
	report := msgs[1]
	for _, want := range []string{"📊 Report: Winter sale (" + b.ID + ") — completed", "LINE: ✅ 9,997 sent · ❌ 3 failed · ⏭ 0 skipped",
		"• 2 × LINE: blocked the bot or left", "• 1 × LINE: HTTP 500", "• 4 × LINE: outside the 24-hour window", "⏱ Took 53 s"} {
		if !strings.Contains(report.Text, want) {
			t.Errorf("report lacks %q:\n%s", want, report.Text)
		}
	}

	// View errors: any admin may press it; the CSV arrives as a document.
	r.press(bob, report, "/errors "+b.ID)
	doc := r.sent()[len(r.sent())-1]
	if doc.Method != "sendDocument" || doc.Document == "" {
		t.Fatalf("no CSV document after View errors: %+v", doc)
	}
	csv := r.download(doc.Document)
	for _, want := range []string{"run_id,platform,recipient_id,reason", runID + ",line,U-gone-1,blocked", "U-5xx,HTTP 500,3"} {
		if !strings.Contains(csv, want) {
			t.Errorf("errors CSV lacks %q:\n%s", want, csv)
		}
	}
	if !strings.Contains(report.ReplyMarkup, `"/clone `+b.ID+`"`) {
		t.Errorf("report lacks Clone: %s", report.ReplyMarkup)
	}
}

func TestStatusChangesByOthersAndUpcomingSendsAreAnnounced(t *testing.T) {
	r := newAdminRig(t)
	ctx := context.Background()
	b := herald.Broadcast{ID: "B-7K2Q", Name: "Winter sale", Status: herald.StatusScheduled,
		Origin: herald.Origin{Frontend: Frontend, ChatID: "-1001234", UserID: "11"}}
	rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.a}, Broadcasts: r.store, Catalog: r.cat,
		Now: func() time.Time { return time.Date(2026, 12, 1, 8, 45, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	paused := b
	paused.Status = herald.StatusPaused
	here := herald.Origin{Frontend: Frontend, ChatID: "-1001234"}
	rep.Publish(ctx, herald.BroadcastChanged{Action: "pause", Broadcast: paused, From: b.Status, Actor: "telegram:11", Where: here}) // Alice's own change: she saw it already
	rep.Wait()
	if n := len(r.sent()); n != 0 {
		t.Fatalf("the creator's own change was announced")
	}
	bob := here
	bob.UserName = "Bob"
	rep.Publish(ctx, herald.BroadcastChanged{Action: "pause", Broadcast: paused, From: b.Status, Actor: "telegram:12", Where: bob})
	rep.Upcoming(ctx, b, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	rep.Wait()
	r.last("Winter sale (B-7K2Q) is now paused — changed by Bob")
	up := r.last("goes out today at 09:00 (UTC)")
	if !strings.Contains(up.ReplyMarkup, `"/show B-7K2Q"`) || !strings.Contains(up.ReplyMarkup, `"/pause B-7K2Q"`) {
		t.Fatalf("announcement buttons: %s", up.ReplyMarkup)
	}
}

// A reporter that restarts (a new one over the same database) edits the
// progress message its predecessor posted; a run whose end could not be
// shown before the stop (the report never went out) shows it at the next
// start. Either way the admin group ends with one progress message per
// run, and none of them still says "sending".
func TestProgressMessageSurvivesARestart(t *testing.T) {
	r := newAdminRig(t)
	ctx := context.Background()
	newReporter := func() *adminchat.Reporter {
		rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.a}, Broadcasts: r.store,
			ProgressMessages: r.store.ProgressMessages(), Catalog: r.cat, Interval: time.Nanosecond})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	progress := func(b herald.Broadcast, done int, status herald.RunStatus) herald.Progress {
		return herald.Progress{BroadcastID: b.ID, RunID: b.ID + "/1", Status: status, Total: 100,
			Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: done, Pending: 100 - done}}, At: time.Now()}
	}
	here := herald.Origin{Frontend: Frontend, ChatID: "-1001234", UserID: "11"}
	first := herald.Broadcast{Name: "Winter sale", Status: herald.StatusSending, Origin: here}
	second := herald.Broadcast{Name: "Spring sale", Status: herald.StatusSending, Origin: here}
	for _, b := range []*herald.Broadcast{&first, &second} {
		if err := r.store.CreateBroadcast(b); err != nil {
			t.Fatal(err)
		}
	}

	before := newReporter()
	before.Progress(ctx, progress(first, 34, herald.RunSending))
	before.Progress(ctx, progress(second, 10, herald.RunSending))
	before.Wait()
	// The second run ends as the chat stops answering: its end is not shown.
	r.fake.Faults.FailNext(2, 500)
	before.Finished(ctx, herald.Report{Progress: progress(second, 100, herald.RunCompleted)})
	before.Wait()

	after := newReporter()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- after.Run(runCtx) }()
	after.Progress(ctx, progress(first, 80, herald.RunSending))
	after.Finished(ctx, herald.Report{Progress: progress(first, 100, herald.RunCompleted)})
	stop()
	<-done
	after.Wait()

	var progressMsgs, reports []platformtest.TelegramMessage
	for _, m := range r.sent() {
		switch {
		case strings.HasPrefix(m.Text, "📤 "):
			progressMsgs = append(progressMsgs, m)
		case strings.HasPrefix(m.Text, "📊 Report: "):
			reports = append(reports, m)
		}
	}
	if len(progressMsgs) != 2 || len(reports) != 2 {
		t.Fatalf("%d progress messages and %d reports for 2 runs, want 2 and 2", len(progressMsgs), len(reports))
	}
	for _, m := range progressMsgs {
		if strings.Contains(m.Text, "— sending") || !strings.Contains(m.Text, "— completed") {
			t.Errorf("after the restart a progress message reads:\n%s", m.Text)
		}
	}
	if kept, err := r.store.ProgressMessages().All(); err != nil || len(kept) != 0 {
		t.Errorf("kept progress messages after both runs ended: %d (%v), want none", len(kept), err)
	}
}

// The report's 24 h update posts the chart again, with who tapped and
// clicked over the first day beneath, as a photo (sendPhoto) in the admin
// group; a restart before it still posts it, one after it posts nothing.
func TestTheDayChartIsAPhotoInTheAdminGroupOnce(t *testing.T) {
	r := newAdminRig(t)
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b := herald.Broadcast{Name: "Winter sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: "-1001234", UserID: "11", UserName: "Alice"}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	opts := adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.a}, Broadcasts: r.store, Catalog: r.cat, Now: clock.Now}
	photos := func() (out []platformtest.TelegramMessage) {
		for _, m := range r.sent() {
			if m.Method == "sendPhoto" {
				out = append(out, m)
			}
		}
		return out
	}
	flowsrig.ReportDay(t, r.store, opts, clock, b.ID, func() int { return len(photos()) })
	day := photos()[1]
	if !strings.Contains(day.Text, "Winter sale ("+b.ID+"): deliveries, and who tapped or clicked in the first 24 h") || day.Photo == "" {
		t.Fatalf("24 h chart: %+v", day)
	}
	img, err := png.Decode(strings.NewReader(r.download(day.Photo)))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 1000 {
		t.Fatalf("the 24 h chart is not a 1200×1000 PNG: %v", err)
	}
}
