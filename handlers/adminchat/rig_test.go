package adminchat_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// rig is a Reporter over a real store, printing into a real console
// surface (the demo's admin chat) whose output the tests read: each post
// or edit of a message prints as one block.
type rig struct {
	t     *testing.T
	store *storage.Store
	cat   *locales.Catalog
	clock *platformtest.Clock // the reporter's injected time: the throttle reads it, nothing sleeps
	rep   *adminchat.Reporter
	out   bytes.Buffer // the console; read only after rep.Wait
	log   bytes.Buffer // the reporter's log
}

var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// newRig is a rig over flowsrig's engine whose Reporter, tuned by tune,
// edits a progress message at most once per 3 s.
func newRig(t *testing.T, tune func(o *adminchat.Options)) *rig {
	t.Helper()
	engine, store, cat := flowsrig.New(t, nil)
	r := &rig{t: t, store: store, cat: cat, clock: platformtest.NewClock(start)}
	r.report(engine, cat, console.Options{FilesDir: t.TempDir()}, func(o *adminchat.Options) {
		o.Interval = 3 * time.Second
		if tune != nil {
			tune(o)
		}
	})
	return r
}

// report gives the rig its Reporter, tuned by tune, printing into a new
// console (opened with co) whose admin talks to engine; it returns the
// console.
func (r *rig) report(engine console.Handler, cat *locales.Catalog, co console.Options, tune func(o *adminchat.Options)) *console.Console {
	r.t.Helper()
	con := console.New(engine, &r.out, co)
	opts := adminchat.Options{Surfaces: map[string]adminchat.Surface{console.Frontend: con.Surface()},
		Broadcasts: r.store, Admins: r.store, Catalog: cat, Now: r.clock.Now,
		Logger: slog.New(slog.NewTextHandler(&r.log, nil))}
	if tune != nil {
		tune(&opts)
	}
	rep, err := adminchat.New(opts)
	if err != nil {
		r.t.Fatal(err)
	}
	r.rep = rep
	return con
}

// broadcast stores a broadcast made at origin (the console by default).
func (r *rig) broadcast(name string, o herald.Origin, edit func(b *herald.Broadcast)) herald.Broadcast {
	r.t.Helper()
	if o == (herald.Origin{}) {
		o = herald.Origin{Frontend: console.Frontend, ChatID: "console", UserID: "admin"}
	}
	b := herald.Broadcast{Name: name, Status: herald.StatusSending, Origin: o}
	if edit != nil {
		edit(&b)
	}
	if err := r.store.CreateBroadcast(&b); err != nil {
		r.t.Fatal(err)
	}
	return b
}

// speak sets the language the console's admin chose with /lang.
func (r *rig) speak(lang string) {
	r.t.Helper()
	if err := r.store.SaveAdmin(herald.Admin{Key: console.Frontend + ":admin", Locale: lang}); err != nil {
		r.t.Fatal(err)
	}
}

// shown is every message the console printed, oldest first: its lines
// without the console's margin, buttons as "type: /cmd (Label) · …".
func (r *rig) shown() []string {
	r.rep.Wait()
	var msgs []string
	for _, block := range strings.Split(r.out.String(), "\n\n") {
		var lines []string
		for _, l := range strings.Split(strings.Trim(block, "\n"), "\n") {
			if rest, ok := strings.CutPrefix(l, "  │ "); ok {
				lines = append(lines, rest)
			}
		}
		if len(lines) > 0 {
			msgs = append(msgs, strings.Join(lines, "\n"))
		}
	}
	return msgs
}

// progressShown is the progress messages among shown (posts and edits).
func (r *rig) progressShown() []string {
	var out []string
	for _, m := range r.shown() {
		if strings.HasPrefix(m, "📤 ") {
			out = append(out, m)
		}
	}
	return out
}

// last is the latest message shown; it fails the test when none was.
func (r *rig) last() string {
	r.t.Helper()
	msgs := r.shown()
	if len(msgs) == 0 {
		r.t.Fatal("nothing was shown in the admin chat")
	}
	return msgs[len(msgs)-1]
}

// progress is a run of b at the rig's time with the given counts on LINE.
func (r *rig) progress(b herald.Broadcast, runID string, status herald.RunStatus, total int, t herald.Tally) herald.Progress {
	return herald.Progress{BroadcastID: b.ID, RunID: runID, Status: status, Total: total,
		Channels: map[herald.Platform]herald.Tally{herald.LINE: t}, StartedAt: start, At: r.clock.Now()}
}

// mustContain fails for each of want that text lacks.
func mustContain(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// mustLack fails for each of unwanted that text has.
func mustLack(t *testing.T, what, text string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s still has %q:\n%s", what, w, text)
		}
	}
}
