package adminchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
)

// The report is edited at 1 h and 24 h after the run with the taps and
// clicks counted since; the 24 h update is made by a Reporter started
// after a restart, from the stored schedule, and nothing is edited twice.
func TestReportIsUpdatedAtOneAndTwentyFourHours(t *testing.T) {
	var opts adminchat.Options
	r := newRig(t, func(o *adminchat.Options) { o.FollowUps = o.Broadcasts.(adminchat.FollowUps); opts = *o })
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
	if left, err := r.store.ReportFollowUps(); err != nil || len(left) != 0 {
		t.Errorf("follow-ups left = %v, %v; want none", left, err)
	}
	if strings.Contains(r.log.String(), "level=WARN") {
		t.Errorf("warnings logged:\n%s", r.log.String())
	}
}
