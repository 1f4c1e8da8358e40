package telegram

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/platformtest"
)

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
			ProgressMessages: r.store, Catalog: r.cat, Interval: time.Nanosecond})
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
	if kept, err := r.store.ProgressMessages(); err != nil || len(kept) != 0 {
		t.Errorf("kept progress messages after both runs ended: %d (%v), want none", len(kept), err)
	}
}
