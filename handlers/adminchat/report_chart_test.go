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
)

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
