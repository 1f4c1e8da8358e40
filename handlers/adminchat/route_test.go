package adminchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
)

// apiOrigin is how handlers/api records a broadcast made by the "crm"
// integration.
var apiOrigin = herald.Origin{Frontend: adminchat.APIFrontend, UserID: "crm", UserName: "crm"}

// Broadcasts made through the HTTP API have no chat of their own: with
// APIChat set, their progress, report and notices go there, saying who
// made them.
func TestAPIBroadcastsReportInTheConfiguredChat(t *testing.T) {
	r := newRig(t, func(o *adminchat.Options) {
		o.APIChat = herald.Origin{Frontend: console.Frontend, ChatID: "ops"}
	})
	ctx := context.Background()
	b := r.broadcast("Order follow-up", apiOrigin, nil)
	r.rep.Progress(ctx, r.progress(b, b.ID+"/1", herald.RunSending, 20, herald.Tally{Sent: 5, Pending: 15}))
	mustContain(t, "progress", r.last(), "📤 Order follow-up ("+b.ID+") — sending", "🔌 Made through the API by “crm”", "/pause "+b.ID)
	r.rep.Finished(ctx, herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 20, herald.Tally{Sent: 20}), Duration: time.Minute})
	mustContain(t, "report", r.last(), "📊 Report: Order follow-up ("+b.ID+") — completed", "🔌 Made through the API by “crm”", "⏱ Took 1 min")

	r.rep.Upcoming(ctx, b, start.Add(time.Hour))
	mustContain(t, "heads-up", r.last(), "Order follow-up ("+b.ID+") goes out today at 10:00 (UTC)")
}

// Without APIChat an API broadcast is not shown in any chat; the log says
// how it went and how to follow such runs in a chat.
func TestAPIBroadcastsWithoutAChatAreOnlyLogged(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Order follow-up", apiOrigin, nil)
	r.rep.Progress(ctx, r.progress(b, b.ID+"/1", herald.RunSending, 20, herald.Tally{Sent: 5, Pending: 15}))
	r.rep.Finished(ctx, herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 20, herald.Tally{Sent: 18, Failed: 2}),
		Duration: time.Minute})
	r.rep.Upcoming(ctx, b, start.Add(time.Hour))
	if msgs := r.shown(); len(msgs) != 0 {
		t.Fatalf("an API broadcast was shown with no chat configured: %q", msgs)
	}
	log := r.log.String()
	mustContain(t, "log", log, "set api.report_to", "broadcast_id="+b.ID, "client=crm",
		"run finished", "sent=18 failed=2")
	if n := strings.Count(log, "set api.report_to"); n != 1 {
		t.Errorf("the hint was logged %d times for one run; want once:\n%s", n, log)
	}
}
