package broadcasts_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// hookedStore is the dispatcher's real store with a hook at one point of a
// start: before the transaction that creates the run, right after it, or
// while the audience snapshot is written. The hook runs once.
type hookedStore struct {
	*storage.Store
	at   string
	once sync.Once
	hook func()
}

func (s *hookedStore) fire(at string) {
	if s.at == at {
		s.once.Do(s.hook)
	}
}

func (s *hookedStore) StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error {
	s.fire("before start")
	err := s.Store.StartRun(r, start)
	s.fire("after start")
	return err
}

func (s *hookedStore) AddDeliveries(runID string, ds []herald.Delivery) error {
	s.fire("during snapshot")
	return s.Store.AddDeliveries(runID, ds)
}

type rig struct {
	line *platformtest.LINE
	st   *storage.Store
	eng  *dispatch.Engine
	svc  *broadcasts.Service
	id   string
}

const lineToken = "line-race-test"

// lineFake is the platform fakes over HTTP on clock c and a LINE sender
// to them, closed when the test ends.
func lineFake(t *testing.T, c *platformtest.Clock) (*platformtest.Server, *line.Sender) {
	t.Helper()
	fakes := platformtest.NewServer(c.Now)
	fakes.LINE.AllowTokens(lineToken)
	srv := httptest.NewServer(fakes.Handler())
	t.Cleanup(func() { fakes.Close(); srv.Close() })
	ln, err := line.New(line.Config{Token: lineToken, BaseURL: srv.URL + "/line"})
	if err != nil {
		t.Fatal(err)
	}
	return fakes, ln
}

// newRig is a real database, the LINE fake over HTTP, the real dispatcher
// and the service, with a broadcast to 30 LINE users due now.
func newRig(t *testing.T, hooked *hookedStore) *rig {
	t.Helper()
	c, st := dispatchtest.Open(t)
	fakes, ln := lineFake(t, c)
	hooked.Store = st
	eng := dispatchtest.Engine(t, hooked, map[herald.Platform]dispatch.Sender{herald.LINE: ln},
		dispatch.Options{Workers: 2, Now: c.Now, Sleep: c.Sleep, ControlPoll: 20 * time.Millisecond, SnapshotBatch: 10})
	svc, err := broadcasts.New(broadcasts.Options{Store: st, Runs: eng, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	dispatchtest.LINEUsers(t, st, 30)
	b := herald.Broadcast{Name: "race", Status: herald.StatusScheduled, Category: herald.Marketing,
		Content:  herald.Content{Kind: herald.TextContent, Text: "hello"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendNow, At: c.Now()}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	return &rig{line: fakes.LINE, st: st, eng: eng, svc: svc, id: b.ID}
}

// TestControlRacingTheStartStopsTheRun: a pause or cancel that lands at
// any moment of the scheduler's start (before the run is created, right
// after, or while its audience is written) stops the run: nothing is sent
// and the broadcast and its run agree. Run with -race.
func TestControlRacingTheStartStopsTheRun(t *testing.T) {
	admin := broadcasts.Actor{Key: "console:bob"}
	for _, at := range []string{"before start", "after start", "during snapshot"} {
		for _, c := range []herald.Control{herald.Pause, herald.Cancel} {
			t.Run(string(c)+" "+at, func(t *testing.T) {
				hooked := &hookedStore{at: at}
				var r *rig
				controlled := make(chan error, 1) // the hook may run on the runner's goroutine
				hooked.hook = func() {
					var err error
					if c == herald.Pause {
						_, err = r.svc.Pause(context.Background(), r.id, admin)
					} else {
						_, err = r.svc.Cancel(context.Background(), r.id, admin)
					}
					controlled <- err
				}
				r = newRig(t, hooked)
				_, startErr := r.eng.Start(context.Background(), r.id) // as the scheduler does when it is due
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				if err := r.eng.Wait(ctx); err != nil {
					t.Fatal(err)
				}
				if err := <-controlled; err != nil {
					t.Fatalf("%s: %v", c, err)
				}
				want, wantRun := herald.StatusPaused, herald.RunPaused
				if c == herald.Cancel {
					want, wantRun = herald.StatusCanceled, herald.RunCanceled
				}
				b, _ := r.st.Broadcast(r.id)
				if b.Status != want {
					t.Errorf("broadcast is %s, want %s", b.Status, want)
				}
				runs, _ := r.st.RunsOf(r.id)
				switch {
				case at == "before start" && (startErr == nil || len(runs) != 0):
					t.Errorf("the start went on after the %s: err %v, runs %+v", c, startErr, runs)
				case at != "before start" && (len(runs) != 1 || runs[0].Status != wantRun):
					t.Errorf("runs %+v, want one %s", runs, wantRun)
				}
				for _, run := range runs {
					if sent, _ := r.st.Deliveries(run.ID, herald.Sent, 0, 100); len(sent) != 0 {
						t.Errorf("%d sent after the %s", len(sent), c)
					}
				}
				if c == herald.Pause && at != "before start" {
					if _, err := r.svc.Resume(context.Background(), r.id, admin); err != nil {
						t.Fatalf("resume: %v", err)
					}
					if err := r.eng.Wait(ctx); err != nil {
						t.Fatal(err)
					}
					runs, _ := r.st.RunsOf(r.id)
					if sent, _ := r.st.Deliveries(runs[0].ID, herald.Sent, 0, 100); len(sent) != 30 || runs[0].Status != herald.RunCompleted {
						t.Errorf("after resume: %d sent, run %s; want 30, completed", len(sent), runs[0].Status)
					}
				}
			})
		}
	}
}

// TestUndoRacingTheStart: an Undo that lands before the scheduler's start
// takes the broadcast back to draft and nothing is sent; one that lands
// once the run exists is refused (ErrStarted: the door says it was sent)
// and the run goes on to everyone. Run with -race.
func TestUndoRacingTheStart(t *testing.T) {
	admin := broadcasts.Actor{Key: "console:bob"}
	for _, at := range []string{"before start", "after start", "during snapshot"} {
		t.Run(at, func(t *testing.T) {
			hooked := &hookedStore{at: at}
			var r *rig
			undone := make(chan error, 1) // the hook may run on the runner's goroutine
			hooked.hook = func() {
				_, err := r.svc.Undo(context.Background(), r.id, admin)
				undone <- err
			}
			r = newRig(t, hooked)
			_, startErr := r.eng.Start(context.Background(), r.id)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := r.eng.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			err := <-undone
			b, _ := r.st.Broadcast(r.id)
			runs, _ := r.st.RunsOf(r.id)
			if at == "before start" {
				if err != nil || startErr == nil || b.Status != herald.StatusDraft || len(runs) != 0 {
					t.Errorf("undo %v, start %v: broadcast %s with runs %+v; want a draft that never ran", err, startErr, b.Status, runs)
				}
				return
			}
			if !errors.Is(err, broadcasts.ErrStarted) {
				t.Errorf("undo after the start: %v, want ErrStarted", err)
			}
			if len(runs) != 1 || b.Status != herald.StatusCompleted {
				t.Fatalf("broadcast %s, runs %+v; want one run, completed", b.Status, runs)
			}
			if sent, _ := r.st.Deliveries(runs[0].ID, herald.Sent, 0, 100); len(sent) != 30 {
				t.Errorf("%d sent, want 30", len(sent))
			}
		})
	}
}
