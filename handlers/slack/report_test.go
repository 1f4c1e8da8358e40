package slack

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
)

func TestProgressAndReportGoToTheThreadAndViewErrorsUploadsTheCSV(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	thread := "1700000000.000001"
	b := herald.Broadcast{Name: "Spring sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: channel + ":" + thread, UserID: bob}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	runID := flowsrig.AddRun(t, r.store, b.ID, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U-gone"}, Outcome: herald.Failed, Reason: herald.ReasonBlocked, Attempts: 1, At: now},
	})
	cat, _ := locales.New("en")
	// Bob made it and reads Japanese: progress and report speak it.
	if err := r.store.SaveAdmin(herald.Admin{Key: "slack:" + bob, Locale: "ja"}); err != nil {
		t.Fatal(err)
	}
	rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store, Admins: r.store,
		Timelines: r.store, Catalog: cat, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := herald.Progress{BroadcastID: b.ID, RunID: runID, Status: herald.RunSending, Total: 4,
		Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 1, Pending: 3}}, StartedAt: now, At: now}
	rep.Progress(ctx, p)
	rep.Wait()
	prog := r.last("Spring sale")
	if prog.ThreadTS != thread || !strings.Contains(prog.Blocks, `"value":"/pause `+b.ID+`"`) || !strings.Contains(prog.Blocks, `"block_id":"h::`) {
		t.Fatalf("progress message: %+v", prog)
	}
	p.Status, p.Channels = herald.RunCompleted, map[herald.Platform]herald.Tally{herald.LINE: {Sent: 3, Failed: 1}}
	rep.Finished(ctx, herald.Report{Progress: p, Duration: 2 * time.Minute,
		Failures: []herald.ReasonCount{{Platform: herald.LINE, Reason: herald.ReasonBlocked, Count: 1}}})
	rep.Wait()
	if m := r.message(prog.TS); m.Updates != 1 || !strings.Contains(m.Blocks, "4 / 4") || strings.Contains(m.Blocks, "/pause") {
		t.Fatalf("final progress: updates=%d %s", m.Updates, m.Blocks)
	}
	report := r.last("レポート：Spring sale")
	if report.ThreadTS != thread || !strings.Contains(report.Blocks, "1 × LINE：ボットをブロックまたは退出") || !strings.Contains(report.Blocks, "所要時間 2分") {
		t.Fatalf("report: %s", report.Blocks)
	}
	// The chart follows the report in the thread, uploaded through
	// files.getUploadURLExternal → POST → files.completeUploadExternal.
	chart := r.last("Spring sale（" + b.ID + "）の送信推移")
	if f, _ := r.fake.File(strings.Join(chart.Files, "")); chart.ThreadTS != thread || f.Channel != channel ||
		!strings.HasSuffix(f.Name, "-chart.png") || !bytes.HasPrefix(f.Data, []byte("\x89PNG")) {
		t.Fatalf("chart in the thread: %+v, file %q in %s", chart, f.Name, f.Channel)
	}
	r.press(bob, report, "/errors "+b.ID)
	var uploaded []string
	for _, m := range r.fake.Messages(channel) {
		uploaded = append(uploaded, m.Files...)
	}
	if len(uploaded) != 2 {
		t.Fatalf("want the chart and one CSV uploaded into the channel, got %v", uploaded)
	}
	f, _ := r.fake.File(uploaded[1])
	if !strings.Contains(string(f.Data), runID+",line,U-gone,blocked") || f.Channel != channel {
		t.Fatalf("uploaded CSV %q in %s:\n%s", f.Name, f.Channel, f.Data)
	}
}

// The report's 24 h update uploads the chart again into the broadcast's
// thread, with who tapped and clicked over the first day beneath; a
// restart before it still uploads it, one after it uploads nothing.
func TestTheDayChartIsUploadedIntoTheThreadOnce(t *testing.T) {
	r := newRig(t)
	thread := "1700000000.000001"
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	b := herald.Broadcast{Name: "Spring sale", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: channel + ":" + thread, UserID: bob}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	opts := adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store, Catalog: cat, Now: clock.Now}
	uploads := func() (out []platformtest.SlackMessage) {
		for _, m := range r.fake.Messages(channel) {
			if len(m.Files) > 0 {
				out = append(out, m)
			}
		}
		return out
	}
	flowsrig.ReportDay(t, r.store, opts, clock, b.ID, func() int { return len(uploads()) })
	day := uploads()[1]
	f, _ := r.fake.File(strings.Join(day.Files, ""))
	if day.ThreadTS != thread || f.Channel != channel || !strings.HasSuffix(f.Name, "-chart-24h.png") ||
		!strings.Contains(day.Text+day.Blocks, "Spring sale ("+b.ID+"): deliveries, and who tapped or clicked in the first 24 h") {
		t.Fatalf("24 h chart in the thread: %+v, file %q in %s", day, f.Name, f.Channel)
	}
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 1000 {
		t.Fatalf("the 24 h chart is not a 1200×1000 PNG: %v", err)
	}
}

// TestUndoOfferSaysItStartedOnceTheRunStarts: the "goes out in … Undo"
// message of a send-now is updated when its run starts: it says so, and
// its Undo button is gone. The offer is kept with the progress messages,
// so a restart during the wait (new Offers, new Reporter, same store)
// still updates it; an offer undone is forgotten.
func TestUndoOfferSaysItStartedOnceTheRunStarts(t *testing.T) {
	for _, then := range []string{"same process", "after a restart", "undone"} {
		t.Run(then, func(t *testing.T) {
			offers := adminchat.NewOffers()
			r := newRig(t, func(o *Options, _ *platformtest.Slack) { o.Offers = offers })
			cat, _ := locales.New("en")
			now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
			reporter := func() *adminchat.Reporter {
				rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store, Admins: r.store,
					ProgressMessages: r.store.ProgressMessages(), Catalog: cat, Offers: offers, Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				return rep
			}
			rep := reporter()
			r.slash(alice, "new")
			thread := r.last("is working with Herald").TS
			r.reply(alice, thread, "Flash sale")
			r.reply(alice, thread, "everyone on line")
			r.reply(alice, thread, "Now or never")
			r.press(alice, r.last("Step 5"), "done")
			r.press(alice, r.last("Step 6"), "tm:now")
			r.press(alice, r.last("Summary of"), "sum:confirm")
			offer := r.last("goes out")
			if !strings.Contains(offer.Blocks, "Undo") {
				t.Fatalf("the send-now message offers no Undo: %s", offer.Blocks)
			}
			bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{})
			if len(bs) != 1 {
				t.Fatalf("stored %d broadcasts", len(bs))
			}
			switch then {
			case "after a restart":
				offers = adminchat.NewOffers()
				rep = reporter()
			case "undone":
				rep.Publish(context.Background(), herald.BroadcastChanged{Action: "undo", Broadcast: bs[0], Actor: "slack:" + alice})
				rep.Wait()
				if kept, _ := r.store.ProgressMessages().All(); len(kept) != 0 {
					t.Errorf("kept records %v after Undo, want none", kept)
				}
				return
			}
			rep.Publish(context.Background(), herald.RunProgress{Progress: herald.Progress{BroadcastID: bs[0].ID, RunID: bs[0].ID + "/1",
				Status: herald.RunSending, Total: 3, Channels: map[herald.Platform]herald.Tally{herald.LINE: {Pending: 3}}, StartedAt: now, At: now}})
			rep.Wait()
			m := r.message(offer.TS)
			if m.Updates != 1 || !strings.Contains(m.Blocks, "has started sending; it can no longer be undone") || strings.Contains(m.Blocks, `"type":"actions"`) {
				t.Fatalf("the undo offer was not updated to say it started, without buttons: updates=%d %s", m.Updates, m.Blocks)
			}
			if kept, _ := r.store.ProgressMessages().All(); len(kept) != 1 {
				t.Errorf("kept records %v, want only the run's progress message (the offer is closed)", kept)
			}
		})
	}
}
