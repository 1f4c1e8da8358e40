package flowsrig

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// ReportDay takes a run of broadcastID through its day in an admin chat,
// as the frontends' tests need it: 40 sent now and answered by 12 taps
// and 5 clicks (AnsweredRun), its report posted by a Reporter made from
// opts (whose Now is clock's, whose stores are s), the 1 h update, a
// restart, the 24 h update by the new Reporter from the stored schedule,
// another restart, and a tick two days later. photos counts the images
// the chat holds: 1 (the run's chart) until the 24 h update, 2 after it,
// and 2 after the restart.
func ReportDay(t testing.TB, s *storage.Store, opts adminchat.Options, clock *platformtest.Clock, broadcastID string, photos func() int) {
	t.Helper()
	ctx := context.Background()
	now := clock.Now()
	rep := herald.Report{Duration: time.Minute, Progress: herald.Progress{BroadcastID: broadcastID, RunID: AnsweredRun(t, s, broadcastID, now, 40, 12, 5),
		Status: herald.RunCompleted, Total: 40, Channels: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 40}}, StartedAt: now, At: now}}
	opts.Timelines, opts.FollowUps = s, s.ReportFollowUps()
	reporter := func() *adminchat.Reporter {
		r, err := adminchat.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := reporter()
	r.Finished(ctx, rep)
	r.Wait()
	for _, step := range []struct {
		after   time.Duration
		restart bool
		want    int
		what    string
	}{
		{0, false, 1, "the report"},
		{time.Hour, false, 1, "the 1 h update"},
		{23 * time.Hour, true, 2, "the 24 h update after a restart"},
		{48 * time.Hour, true, 2, "a restart after the 24 h update"},
	} {
		if step.restart {
			r = reporter()
		}
		clock.Add(step.after)
		r.UpdateReports(ctx)
		r.Wait()
		if n := photos(); n != step.want {
			t.Fatalf("after %s the chat has %d images, want %d", step.what, n, step.want)
		}
	}
}

// AnsweredRun stores a run of broadcastID that sent to n LINE users from
// start, one a second, of whom the first taps tapped its button "b1" and
// the first clicks clicked its link "b2", one every 10 minutes from
// start: a run with something for the report's 24 h chart to draw. It
// returns the run's ID.
func AnsweredRun(t testing.TB, s *storage.Store, broadcastID string, start time.Time, n, taps, clicks int) string {
	t.Helper()
	ds := make([]herald.Delivery, n)
	for i := range ds {
		ds[i] = herald.Delivery{Seq: uint32(1000 + i), Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: fmt.Sprintf("U-run-%d", i)},
			Outcome: herald.Sent, Attempts: 1, At: start.Add(time.Duration(i) * time.Second)}
	}
	runID := AddRun(t, s, broadcastID, ds)
	var ts []herald.Tap
	for i := range taps {
		ts = append(ts, herald.Tap{BroadcastID: broadcastID, ButtonID: "b1", Subscriber: ds[i].Recipient, At: start.Add(time.Duration(i) * 10 * time.Minute)})
	}
	var cs []herald.Click
	for i := range clicks {
		cs = append(cs, herald.Click{BroadcastID: broadcastID, ButtonID: "b2", Seq: ds[i].Seq, At: start.Add(time.Duration(i) * 10 * time.Minute)})
	}
	if err := s.RecordTaps(ts); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordClicks(cs); err != nil {
		t.Fatal(err)
	}
	return runID
}
