package schedule

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// clock is a settable time source shared by the store and the scheduler.

// starts records which broadcasts were started and moves them to sending
// in the real store, as the dispatch engine does.
type starts struct {
	store *storage.Store
	mu    sync.Mutex
	ids   []string
	at    []time.Time
	clock *platformtest.Clock
	// fail, when set, is every start's error (the run could not start).
	fail error
}

func (s *starts) Start(_ context.Context, id string) (herald.Run, error) {
	s.mu.Lock()
	s.ids = append(s.ids, id)
	s.at = append(s.at, s.clock.Now())
	fail := s.fail
	s.mu.Unlock()
	if fail != nil {
		return herald.Run{}, fail
	}
	_, err := s.store.UpdateBroadcast(id, func(b *herald.Broadcast) error { b.Status = herald.StatusSending; return nil })
	return herald.Run{ID: id + "/1", BroadcastID: id}, err
}

func (s *starts) count() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.ids) }

// notes records what the origin chat would be told.
type notes struct {
	mu      sync.Mutex
	missed  []time.Duration
	headsUp []time.Time
	failed  []herald.Broadcast
}

func (n *notes) Publish(_ context.Context, e herald.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	switch e := e.(type) {
	case herald.HeadsUp:
		n.headsUp = append(n.headsUp, e.At)
	case herald.Missed:
		n.missed = append(n.missed, e.Late)
	case herald.StartFailed:
		n.failed = append(n.failed, e.Broadcast)
	}
}

type fixture struct {
	t     *testing.T
	path  string
	clock *platformtest.Clock
	store *storage.Store
	start *starts
	notes *notes
	sched *Scheduler
	opts  Options
}

func newFixture(t *testing.T, now time.Time, opts Options) *fixture {
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "herald.db"), clock: platformtest.NewClock(now), notes: &notes{}, opts: opts}
	f.open()
	return f
}

// open (re)opens the store and a fresh scheduler, as a restart does.
func (f *fixture) open() {
	st, err := storage.Open(f.path, storage.Options{Now: f.clock.Now})
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { _ = st.Close() })
	f.store = st
	f.start = &starts{store: st, clock: f.clock}
	opts := f.opts
	opts.Now = f.clock.Now
	f.sched = New(st, f.start, f.notes, opts)
	if err := f.sched.Load(context.Background()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) restart() {
	if err := f.store.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

func (f *fixture) add(name string, s herald.Schedule) herald.Broadcast {
	b := herald.Broadcast{Name: name, Status: herald.StatusScheduled, Schedule: s,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users}}
	if err := f.store.CreateBroadcast(&b); err != nil {
		f.t.Fatal(err)
	}
	f.sched.Changed(context.Background(), b.ID)
	return b
}

func (f *fixture) tick(t time.Time) {
	f.clock.Set(t)
	f.sched.Tick(context.Background(), t)
}

func (f *fixture) status(id string) herald.Status {
	b, err := f.store.Broadcast(id)
	if err != nil {
		f.t.Fatal(err)
	}
	return b.Status
}

func TestOneOffFiresAtTheExactSecond(t *testing.T) {
	t0 := utc("2026-12-01T08:00:00Z")
	f := newFixture(t, t0, Options{})
	at := t0.Add(2 * time.Hour)
	b := f.add("Flash sale", herald.Schedule{Kind: herald.SendAt, At: at})

	f.tick(at.Add(-time.Second))
	if f.start.count() != 0 {
		t.Fatal("fired a second early")
	}
	f.tick(at)
	if f.start.count() != 1 || !f.start.at[0].Equal(at) {
		t.Fatalf("want one start at %s, got %v", at, f.start.at)
	}
	if got := f.status(b.ID); got != herald.StatusSending {
		t.Errorf("status %s, want sending", got)
	}
	f.tick(at.Add(time.Hour))
	if f.start.count() != 1 {
		t.Error("fired twice")
	}
}

func TestRestartBetweenScheduleAndFireStillFires(t *testing.T) {
	t0 := utc("2026-12-01T08:00:00Z")
	f := newFixture(t, t0, Options{})
	at := t0.Add(time.Hour)
	b := f.add("Newsletter", herald.Schedule{Kind: herald.SendAt, At: at})
	f.restart()
	f.tick(at)
	if f.start.count() != 1 || f.start.ids[0] != b.ID {
		t.Fatalf("after restart, want %s started once, got %v", b.ID, f.start.ids)
	}
}

func TestMissedRunWithinGraceIsSentAndBeyondIsHeld(t *testing.T) {
	t0 := utc("2026-12-01T08:00:00Z")
	f := newFixture(t, t0, Options{MissedGrace: 15 * time.Minute})
	soon := f.add("Within grace", herald.Schedule{Kind: herald.SendAt, At: t0.Add(time.Hour)})
	stale := f.add("Stale", herald.Schedule{Kind: herald.SendAt, At: t0.Add(30 * time.Minute)})

	// Herald is down from 08:00 until 11:10.
	f.store.Close()
	f.clock.Set(t0.Add(3*time.Hour + 10*time.Minute))
	f.open()
	f.tick(f.clock.Now())
	if got := f.status(stale.ID); got != herald.StatusPaused {
		t.Errorf("stale broadcast: %s, want paused for a decision", got)
	}
	if len(f.notes.missed) != 2 || f.notes.missed[0] != 2*time.Hour+40*time.Minute {
		t.Errorf("origin chat told %v, want 'missed by 2h40m' first", f.notes.missed)
	}
	if f.start.count() != 0 {
		t.Errorf("stale content was sent: %v", f.start.ids)
	}

	// Within grace: down only until 09:10 for the other one.
	g := newFixture(t, t0, Options{MissedGrace: 15 * time.Minute})
	late := g.add("Late but fine", herald.Schedule{Kind: herald.SendAt, At: t0.Add(time.Hour)})
	g.store.Close()
	g.clock.Set(t0.Add(time.Hour + 10*time.Minute))
	g.open()
	g.tick(g.clock.Now())
	if g.start.count() != 1 || g.start.ids[0] != late.ID {
		t.Errorf("within grace: want %s sent, got %v", late.ID, g.start.ids)
	}
	_ = soon

	// An admin presses "Send now" (resume) after the prompt: it goes out.
	if _, err := f.store.UpdateBroadcast(stale.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusScheduled; return nil }); err != nil {
		t.Fatal(err)
	}
	f.sched.Changed(context.Background(), stale.ID)
	f.tick(f.clock.Now())
	if f.start.count() < 1 || f.start.ids[len(f.start.ids)-1] != stale.ID {
		t.Errorf("resumed after the prompt: want %s sent, got %v", stale.ID, f.start.ids)
	}
}

func TestRecurringWithCronTZFiresEachOccurrence(t *testing.T) {
	t0 := utc("2026-12-01T00:00:00Z")
	f := newFixture(t, t0, Options{})
	b := f.add("Daily tip", herald.Schedule{Kind: herald.SendRecurring, Cron: "CRON_TZ=Asia/Taipei 0 9 * * *", MaxRuns: 2})
	first := utc("2026-12-01T01:00:00Z") // 09:00 in Taipei
	f.tick(first.Add(-time.Second))
	if f.start.count() != 0 {
		t.Fatal("fired early")
	}
	f.tick(first)
	if f.start.count() != 1 {
		t.Fatalf("want first occurrence, got %d starts", f.start.count())
	}
	got, _ := f.store.Broadcast(b.ID)
	if want := first.Add(24 * time.Hour); !got.Schedule.Next.Equal(want) {
		t.Errorf("next occurrence saved as %s, want %s", got.Schedule.Next, want)
	}
	// The run finishes and dispatch hands the broadcast back to the scheduler.
	if _, err := f.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error { x.Status = herald.StatusScheduled; return nil }); err != nil {
		t.Fatal(err)
	}
	f.sched.Changed(context.Background(), b.ID)
	f.tick(first.Add(24 * time.Hour))
	if f.start.count() != 2 {
		t.Fatalf("want second occurrence, got %d starts", f.start.count())
	}
}

func TestPausedRecurringSkipsOccurrencesUntilResumed(t *testing.T) {
	t0 := utc("2026-12-01T00:00:00Z")
	f := newFixture(t, t0, Options{})
	b := f.add("Weekly digest", herald.Schedule{Kind: herald.SendRecurring, Cron: "0 9 * * *"})
	if _, err := f.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error { x.Status = herald.StatusPaused; return nil }); err != nil {
		t.Fatal(err)
	}
	f.sched.Changed(context.Background(), b.ID)
	f.tick(utc("2026-12-03T12:00:00Z"))
	if f.start.count() != 0 {
		t.Fatalf("a paused broadcast fired: %v", f.start.ids)
	}
	if _, err := f.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error { x.Status = herald.StatusScheduled; return nil }); err != nil {
		t.Fatal(err)
	}
	f.sched.Changed(context.Background(), b.ID)
	f.tick(utc("2026-12-03T12:00:01Z"))
	if f.start.count() != 0 {
		t.Fatalf("resuming replayed skipped occurrences: %v", f.start.ids)
	}
	f.tick(utc("2026-12-04T09:00:00Z"))
	if f.start.count() != 1 {
		t.Errorf("want the next occurrence after resume, got %d", f.start.count())
	}
}

func TestHeadsUpBeforeSending(t *testing.T) {
	t0 := utc("2026-12-01T08:00:00Z")
	f := newFixture(t, t0, Options{HeadsUp: time.Hour})
	at := t0.Add(3 * time.Hour)
	f.add("Launch", herald.Schedule{Kind: herald.SendAt, At: at})
	f.tick(at.Add(-time.Hour - time.Second))
	if len(f.notes.headsUp) != 0 {
		t.Fatal("heads-up too early")
	}
	f.tick(at.Add(-time.Hour))
	if len(f.notes.headsUp) != 1 || !f.notes.headsUp[0].Equal(at) {
		t.Errorf("heads-up %v, want one saying %s", f.notes.headsUp, at)
	}
}

func TestRetentionDeletesOnlyOldFinishedBroadcasts(t *testing.T) {
	t0 := utc("2026-01-01T00:00:00Z")
	f := newFixture(t, t0, Options{Retention: 90 * 24 * time.Hour})
	mk := func(name string, status herald.Status) string {
		b := herald.Broadcast{Name: name, Status: status}
		if err := f.store.CreateBroadcast(&b); err != nil {
			t.Fatal(err)
		}
		return b.ID
	}
	oldDone := mk("old completed", herald.StatusCompleted)
	oldCanceled := mk("old canceled", herald.StatusCanceled)
	oldDraft := mk("old draft", herald.StatusDraft)
	f.clock.Set(t0.Add(100 * 24 * time.Hour))
	recent := mk("recent completed", herald.StatusCompleted)

	f.restart() // Load plans retention for now
	f.tick(f.clock.Now())
	for id, want := range map[string]bool{oldDone: false, oldCanceled: false, oldDraft: true, recent: true} {
		_, err := f.store.Broadcast(id)
		if kept := err == nil; kept != want {
			t.Errorf("%s kept=%v, want %v", id, kept, want)
		}
	}
	log, _ := f.store.AuditLog("", 10)
	found := false
	for _, e := range log {
		found = found || e.Action == "retention.delete"
	}
	if !found {
		t.Error("retention was not audited")
	}
}
