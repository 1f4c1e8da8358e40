package sequences_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/line/linetest"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/sequences"
	"github.com/heraldbot/herald/storage"
)

// rig is a real store file, a dispatcher sending to the LINE fake over
// HTTP, and the sequences service, on a test clock.
type rig struct {
	t     *testing.T
	path  string
	clock *platformtest.Clock
	rec   *platformtest.Recorder
	sndr  *line.Sender
	line  *platformtest.LINE
	st    *storage.Store
	eng   *dispatch.Engine
	svc   *sequences.Service
	subs  []herald.Subscriber
	quiet *herald.QuietHours
}

// newRig starts on Monday 2026-11-23 at the given UTC hour with n LINE
// users and quiet hours 22:00–08:00 (the bot's default; zone UTC).
func newRig(t *testing.T, hour, n int) *rig {
	t.Helper()
	r := &rig{t: t, path: filepath.Join(t.TempDir(), "herald.db"),
		clock: platformtest.NewClock(time.Date(2026, 11, 23, hour, 0, 0, 0, time.UTC)),
		quiet: &herald.QuietHours{Start: "22:00", End: "08:00"}}
	r.rec = platformtest.NewRecorder(r.clock.Now)
	r.sndr, r.line = linetest.Recording(t, r.rec)
	r.open()
	r.subs = dispatchtest.LINEUsers(t, r.st, n)
	return r
}

// open opens the store file and builds the engine and the service on it.
func (r *rig) open() {
	r.t.Helper()
	st, err := storage.Open(r.path, storage.Options{Now: r.clock.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	r.st = st
	r.t.Cleanup(func() { _ = st.Close() })
	r.eng = dispatchtest.Engine(r.t, st, map[herald.Platform]dispatch.Sender{herald.LINE: r.sndr},
		dispatch.Options{Now: r.clock.Now, Sleep: r.clock.Sleep, Limits: dispatch.Limits{Off: true},
			Backoff: dispatch.Backoff{MaxAttempts: 1}, FailureThreshold: 0.5, FailureMinSample: 2})
	r.svc = sequences.New(sequences.Options{Store: st, Runs: r.eng, Now: r.clock.Now,
		Timing: schedule.StepTiming{Zones: schedule.NewZones(time.UTC), Quiet: r.quiet}})
}

// restart stops the engine and closes the file, as a stopped process
// would, then opens both again and resumes unfinished runs as cmd/bot does.
func (r *rig) restart() {
	r.t.Helper()
	ctx := context.Background()
	if err := r.eng.Shutdown(ctx); err != nil {
		r.t.Fatal(err)
	}
	if err := r.st.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.open()
	sending, err := r.st.ListBroadcasts(herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusSending}, Steps: true})
	if err != nil {
		r.t.Fatal(err)
	}
	var ids []string
	for _, b := range sending {
		ids = append(ids, b.ID)
	}
	if err := r.eng.Recover(ctx, ids); err != nil {
		r.t.Fatal(err)
	}
	r.settle()
}

// tick is one wake of the loop at the clock's time, waiting for the step
// runs it starts to end and moving their people on.
func (r *rig) tick() int {
	r.t.Helper()
	ctx := context.Background()
	if err := r.svc.ApplyNotes(); err != nil {
		r.t.Fatal(err)
	}
	n, err := r.svc.HandOut(ctx)
	if err != nil {
		r.t.Fatal(err)
	}
	r.settle()
	return n
}

func (r *rig) settle() {
	r.t.Helper()
	if err := r.eng.Wait(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	if err := r.svc.MoveOn(); err != nil {
		r.t.Fatal(err)
	}
}

// texts are the messages user i got on LINE, in order.
func (r *rig) texts(i int) []string {
	var out []string
	for _, d := range r.rec.To("line", r.subs[i].ID) {
		out = append(out, d.Content)
	}
	return out
}

// create saves a sequence of text steps (delay each) with trigger.
func (r *rig) create(tr herald.Trigger, steps ...herald.Step) herald.Sequence {
	r.t.Helper()
	q := herald.Sequence{Name: "Welcome series", Trigger: tr, Steps: steps}
	if err := r.svc.Create(context.Background(), "console:admin", &q); err != nil {
		r.t.Fatal(err)
	}
	return q
}

func text(delay time.Duration, at, s string) herald.Step {
	return herald.Step{Delay: delay, At: at, Content: herald.Content{Kind: herald.TextContent, Text: s}}
}

// event enrolls user i through an API event.
func (r *rig) event(id, name string, i int) []string {
	r.t.Helper()
	entered, _, err := r.svc.Event(context.Background(), id, name, r.subs[i].Key())
	if err != nil {
		r.t.Fatal(err)
	}
	return entered
}

func (r *rig) sequence(id string) herald.Sequence {
	r.t.Helper()
	q, err := r.st.Sequence(id)
	if err != nil {
		r.t.Fatal(err)
	}
	return q
}

func (r *rig) timing() herald.StepTiming {
	return schedule.StepTiming{Zones: schedule.NewZones(time.UTC), Quiet: r.quiet}
}

// update changes user i as any door does (a button, an import, the API,
// the chat): the store notes what it means for sequences.
func (r *rig) update(i int, fn func(s *herald.Subscriber)) {
	r.t.Helper()
	if _, err := r.st.UpdateSubscriber(r.subs[i].Key(), func(s *herald.Subscriber, _ bool) error {
		fn(s)
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
}
