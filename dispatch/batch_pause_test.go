package dispatch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// A run paused while a batch's people wait to be sent again keeps only
// those whose call may have arrived (it did not complete) uncertain: the
// one whose call was rate limited got nothing, and is sent on resume even
// when uncertain people are skipped.
func TestMessengerBatchPausedWhileWaitingSendsTheRateLimitedOnResume(t *testing.T) {
	var e *env
	var bid string
	var once sync.Once
	e = newEnv(t, func(o *dispatch.Options) {
		o.OnUncertain = dispatch.SkipUncertain
		sleep := o.Sleep
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			once.Do(func() { // the batch's wait before sending again
				if _, err := e.eng.Pause(ctx, bid, "test"); err != nil {
					t.Error(err)
				}
			})
			return sleep(ctx, d)
		}
	})
	subs := e.subscribe(herald.Messenger, 3, nil)
	m := e.fakes.Messenger
	m.Unfinished(subs[0].ID)
	m.LimitOnce(subs[1].ID)
	bid = e.broadcast(hello, herald.Messenger)

	if run := e.start(bid); run.Status != herald.RunPaused {
		t.Fatalf("run %s, want paused", run.Status)
	}
	if _, err := e.eng.Resume(context.Background(), bid, "test"); err != nil {
		t.Fatal(err)
	}
	run := e.wait(bid)

	rec := e.fakes.Recorder
	if n := len(rec.To("messenger", subs[1].ID)); n != 1 {
		t.Errorf("the rate-limited person got %d messages, want 1", n)
	}
	if tl := run.Tally[herald.Messenger]; run.Status != herald.RunCompleted || tl.Sent != 2 || tl.Uncertain != 1 || tl.Skipped != 1 {
		t.Errorf("run %s, tally %+v: want completed, 2 sent, 1 uncertain (skipped)", run.Status, tl)
	}
}
