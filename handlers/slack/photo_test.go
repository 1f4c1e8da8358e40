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
)

// A finished run's chart is uploaded into the broadcast's thread, after
// the report, through files.getUploadURLExternal → POST →
// files.completeUploadExternal, with the caption in the admin's language.
func TestReportChartIsUploadedIntoTheThread(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	thread := "1700000000.000002"
	b := herald.Broadcast{Name: "春のセール", Status: herald.StatusSending,
		Origin: herald.Origin{Frontend: Frontend, ChatID: channel + ":" + thread, UserID: bob}}
	if err := r.store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	if err := r.store.SaveAdmin(herald.Admin{Key: "slack:" + bob, Locale: "ja"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	runID := flowsrig.AddRun(t, r.store, b.ID, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Sent, At: now},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}, Outcome: herald.Sent, At: now.Add(time.Minute)},
		{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.Telegram, ID: "7"}, Outcome: herald.Failed, At: now.Add(time.Minute)},
	})
	cat, _ := locales.New("en")
	rep, err := adminchat.New(adminchat.Options{Surfaces: map[string]adminchat.Surface{Frontend: r.h}, Broadcasts: r.store,
		Admins: r.store, Timelines: r.store, Catalog: cat, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	p := herald.Progress{BroadcastID: b.ID, RunID: runID, Status: herald.RunCompleted, Total: 3, StartedAt: now, At: now.Add(2 * time.Minute),
		Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 2}, herald.Telegram: {Failed: 1}}}
	rep.Finished(ctx, herald.Report{Progress: p, Duration: 2 * time.Minute})
	rep.Wait()

	r.last("レポート: 春のセール") // the report is posted first
	var shared []string
	for _, m := range r.fake.Messages(channel) {
		if len(m.Files) > 0 && m.ThreadTS == thread && strings.Contains(m.Text, "春のセール（"+b.ID+"）の送信推移") {
			shared = append(shared, m.Files...)
		}
	}
	if len(shared) != 1 {
		t.Fatalf("want one chart shared in the thread, got %v", shared)
	}
	f, _ := r.fake.File(shared[0])
	img, err := png.Decode(bytes.NewReader(f.Data))
	if err != nil || f.Channel != channel || f.Name != strings.ReplaceAll(runID, "/", "-")+"-chart.png" {
		t.Fatalf("uploaded %q in %s: %v", f.Name, f.Channel, err)
	}
	if sz := img.Bounds().Size(); sz.X != 1200 || sz.Y != 675 {
		t.Errorf("chart is %v, want 1200×675", sz)
	}
}
