package slack

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/locales"
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
