package adminchat_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/storage"
)

// The report is edited at 1 h and 24 h after the run with the taps and
// clicks counted since; the 24 h update is made by a Reporter started
// after a restart, from the stored schedule, and nothing is edited twice.
func TestReportIsUpdatedAtOneAndTwentyFourHours(t *testing.T) {
	var opts adminchat.Options
	r := newRig(t, func(o *adminchat.Options) { o.FollowUps = o.Broadcasts.(*storage.Store).ReportFollowUps(); opts = *o })
	b := r.broadcast("Sale", herald.Origin{}, func(b *herald.Broadcast) {
		b.Content = herald.Content{Kind: herald.TextContent, Text: "Sale", Buttons: []herald.Button{
			{ID: "b1", Label: "Interested", Kind: herald.ActionButton, AddTags: []string{"sale"}}}}
	})
	ctx := context.Background()
	r.rep.Finished(ctx, herald.Report{
		Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 8, herald.Tally{Sent: 8}), Duration: time.Second})
	mustContain(t, "report", r.last(), "• Interested: tapped by 0 (0% of delivered), 0 taps")
	tap := func(ids ...string) {
		var taps []herald.Tap
		for _, id := range ids {
			taps = append(taps, herald.Tap{BroadcastID: b.ID, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: id}})
		}
		if err := r.store.RecordTaps(taps); err != nil {
			t.Fatal(err)
		}
	}
	tap("U1", "U2")
	shown := len(r.shown())
	r.clock.Add(59 * time.Minute)
	r.rep.UpdateReports(ctx)
	if n := len(r.shown()); n != shown {
		t.Fatalf("the report changed before 1 h: %d messages, then %d", shown, n)
	}
	r.clock.Add(time.Minute)
	r.rep.UpdateReports(ctx)
	mustContain(t, "1 h update", r.last(), "• Interested: tapped by 2 (25% of delivered), 2 taps", "🔄 Updated 1 h after the run ended")
	r.rep.UpdateReports(ctx)
	shown = len(r.shown())

	// A restart: a new Reporter finds the 24 h update in the store.
	tap("U3", "U4")
	rep2, err := adminchat.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.clock.Add(23 * time.Hour)
	rep2.UpdateReports(ctx)
	r.rep = rep2
	if n := len(r.shown()); n != shown+1 {
		t.Fatalf("the 24 h update made %d edits, want 1", n-shown)
	}
	got := r.last()
	mustContain(t, "24 h update", got, "• Interested: tapped by 4 (50% of delivered), 4 taps", "🔄 Updated 24 h after the run ended (09:00 UTC)")
	r.clock.Add(48 * time.Hour)
	rep2.UpdateReports(ctx)
	if n := len(r.shown()); n != shown+1 {
		t.Errorf("edits after the last update: %d", n-shown-1)
	}
	if left, err := r.store.ReportFollowUps().All(); err != nil || len(left) != 0 {
		t.Errorf("follow-ups left = %v, %v; want none", left, err)
	}
	if strings.Contains(r.log.String(), "level=WARN") {
		t.Errorf("warnings logged:\n%s", r.log.String())
	}
}

// The console (the demo) gets the chart as a file after the report, its
// path and caption printed, in the admin's language.
func TestReportChartIsSavedAndItsPathPrinted(t *testing.T) {
	r := newRig(t, func(o *adminchat.Options) { o.Timelines = o.Broadcasts.(adminchat.Timelines) }) // the store
	r.speak("zh-TW")
	b := r.broadcast("年終優惠", herald.Origin{}, nil)
	runID := flowsrig.AddRun(t, r.store, b.ID, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Sent, At: start},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.Messenger, ID: "P2"}, Outcome: herald.Failed, At: start.Add(time.Minute)},
	})
	rep := report(b)
	rep.RunID = runID
	r.rep.Finished(context.Background(), rep)
	msgs := r.shown()
	if len(msgs) < 2 || !strings.Contains(msgs[len(msgs)-2], "報告：年終優惠") {
		t.Fatalf("the report is not shown before the chart:\n%s", strings.Join(msgs, "\n---\n"))
	}
	caption := msgs[len(msgs)-1]
	mustContain(t, "chart message", caption, "📈 年終優惠（"+b.ID+"）傳送趨勢", "🖼 ")
	path := strings.TrimSpace(caption[strings.Index(caption, "🖼 ")+len("🖼 "):])
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 1200 {
		t.Fatalf("saved chart %s: %v", path, err)
	}
}

// brokenTimelines cannot be read.
type brokenTimelines struct{}

func (brokenTimelines) RunTimeline(string) ([]herald.MinuteCount, error) {
	return nil, errors.New("storage: read timeline: disk on fire")
}

func (brokenTimelines) ResponseTimeline(string, time.Time, time.Duration, int) (herald.ResponseTimeline, error) {
	return herald.ResponseTimeline{}, errors.New("storage: read responses: disk on fire")
}

// A chart that cannot be made never holds up or changes the report: the
// report is shown, the chart's error is logged once, nothing else is.
func TestReportChartIsBestEffort(t *testing.T) {
	r := newRig(t, func(o *adminchat.Options) { o.Timelines = brokenTimelines{} })
	b := r.broadcast("Year-end offer", herald.Origin{}, nil)
	r.rep.Finished(context.Background(), report(b))
	mustContain(t, "report", r.last(), "Report: Year-end offer")
	if n := strings.Count(r.log.String(), "post report chart"); n != 1 || !strings.Contains(r.log.String(), "disk on fire") {
		t.Errorf("log has the chart error %d times, want once:\n%s", n, r.log.String())
	}
}

// The report's 24 h update brings the chart again with who tapped and
// clicked over the first day beneath (in the console, a second file whose
// path is printed), and only when anyone did; the 1 h update brings none.
func TestTheDayChartFollowsThe24hUpdate(t *testing.T) {
	for _, answered := range []bool{true, false} {
		r := newRig(t, func(o *adminchat.Options) {
			o.Timelines, o.FollowUps = o.Broadcasts.(adminchat.Timelines), o.Broadcasts.(*storage.Store).ReportFollowUps()
		})
		ctx := context.Background()
		b := r.broadcast("Sale", herald.Origin{}, nil)
		taps, clicks := 0, 0
		if answered {
			taps, clicks = 3, 2
		}
		runID := flowsrig.AnsweredRun(t, r.store, b.ID, start, 30, taps, clicks)
		r.rep.Finished(ctx, herald.Report{Progress: r.progress(b, runID, herald.RunCompleted, 30, herald.Tally{Sent: 30}), Duration: time.Minute})
		r.rep.Wait() // the report is posted at start: its updates are due from there
		charts := func() (out []string) {
			for _, m := range r.shown() {
				if strings.Contains(m, "🖼 ") {
					out = append(out, m)
				}
			}
			return out
		}
		r.clock.Add(time.Hour)
		r.rep.UpdateReports(ctx)
		if n := len(charts()); n != 1 {
			t.Fatalf("answered=%v: %d charts by the 1 h update, want the run's alone", answered, n)
		}
		r.clock.Add(23 * time.Hour)
		r.rep.UpdateReports(ctx)
		got := charts()
		if !answered {
			if len(got) != 1 {
				t.Errorf("nobody tapped or clicked, yet the 24 h update posted a chart:\n%s", got[len(got)-1])
			}
			continue
		}
		if len(got) != 2 {
			t.Fatalf("%d charts after the 24 h update, want 2", len(got))
		}
		mustContain(t, "24 h chart message", got[1], "📈 Sale ("+b.ID+"): deliveries, and who tapped or clicked in the first 24 h")
		path := strings.TrimSpace(got[1][strings.Index(got[1], "🖼 ")+len("🖼 "):])
		data, err := os.ReadFile(path)
		if err != nil || !strings.HasSuffix(path, "-chart-24h.png") {
			t.Fatalf("24 h chart %s: %v", path, err)
		}
		if img, err := png.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 1200 || img.Bounds().Dy() != 1000 {
			t.Fatalf("24 h chart %s is not 1200×1000: %v", path, err)
		}
	}
}
