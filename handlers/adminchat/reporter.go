// Package adminchat brings a broadcast's progress and final report back
// into the admin chat it was made in (for the API's broadcasts, the chat
// Options.APIChat names). It is platform-neutral: it decides when to post
// or edit (one message per run, throttled, final state always shown) and
// what to say, as flows.Reply values; each admin frontend (Telegram,
// Slack) renders them like any other reply, so pressing a Pause / View
// errors button runs the same flows command as typing it.
package adminchat

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// Surface is one admin chat platform as the reporter needs it. chat is
// Origin.ChatID (plus Origin.ThreadID where the platform has threads);
// ref names a posted message for later edits.
type Surface interface {
	Post(ctx context.Context, origin herald.Origin, r flows.Reply) (ref string, err error)
	Edit(ctx context.Context, origin herald.Origin, ref string, r flows.Reply) error
}

// Broadcasts finds a run's broadcast, for its name and origin chat.
type Broadcasts interface {
	Broadcast(id string) (herald.Broadcast, error)
}

// Admins finds the language an admin chose with /lang, so progress and
// reports speak it (*storage.Store).
type Admins interface {
	Admin(key string) (herald.Admin, error)
}

// Cards keeps the approval requests posted for each broadcast, so that a
// decision after a restart still closes them (*storage.Store).
type Cards interface {
	PutApprovalCards(broadcastID string, data []byte) error
	ApprovalCards(broadcastID string) ([]byte, error)
	DeleteApprovalCards(broadcastID string) error
}

// APIFrontend is the Origin.Frontend of broadcasts made through the HTTP
// API (handlers/api): they have no chat of their own.
const APIFrontend = "api"

// Options configure a Reporter.
type Options struct {
	// Surfaces by Origin.Frontend ("telegram", "slack", "console").
	Surfaces map[string]Surface
	// APIChat is the admin chat (Frontend and ChatID, ThreadID optional)
	// where broadcasts made through the HTTP API report their progress,
	// results and status changes. Unset, they are only logged.
	APIChat herald.Origin
	// ApproverChats are, by frontend, the admin chats besides a
	// broadcast's own where approval requests go (Telegram's admin groups),
	// so a request made in a private chat reaches someone who can approve.
	ApproverChats map[string][]string
	Broadcasts    Broadcasts
	// Requests renders the approval request approvers are shown when a
	// broadcast is submitted (*flows.Engine); nil: none is posted.
	Requests Requests
	// Admins is optional: without it the catalog's default language is used.
	Admins Admins
	// Cards is optional: without it open approval requests are remembered
	// in memory only, and a restart leaves their buttons in place.
	Cards   Cards
	Catalog *locales.Catalog
	// Offers is optional: the undo offers the frontends posted, edited
	// once their broadcast starts (nil: they are left as they are); kept
	// with the progress messages when those are.
	Offers *Offers
	// ProgressMessages is optional: without it a run's progress message
	// is remembered in memory only, and a restart posts a second one.
	ProgressMessages Records
	// Interval is the least time between two edits of one progress
	// message (default 3s): Telegram and Slack rate-limit edits.
	Interval time.Duration
	// Location is the zone times are shown in: the bot's (default UTC).
	Location *time.Location
	Now      func() time.Time
	Logger   *slog.Logger

	// AccountLabel names an account in a report's breakdown ("LINE ·
	// Shop"); nil: flows.AccountLabel's default words.
	AccountLabel func(herald.Account) string

	// Timelines is optional: without it reports come without a chart.
	Timelines Timelines
	// FollowUps is optional: without it a report is not updated with the
	// taps and clicks that come after its run (followup.go).
	FollowUps Records
}

// Reporter tells the admin chats what happens (it subscribes to the
// events sink; see Publish). Its methods
// return at once; posting and editing happen on their own goroutines,
// one at a time per run.
type Reporter struct {
	opts Options
	mu   sync.Mutex
	runs map[string]*runState
	wg   sync.WaitGroup
	// notices posts notices one at a time per broadcast, in order: a
	// request card exists before a decision edits it.
	notices *Queue[string]
	cards   map[string][]card // open approval requests by broadcast; guarded by mu
	kept    keeper            // progress messages beyond a restart
	fu      followUps         // reports to update after their run
}

// ended stands for every finished run: progress that arrives after the
// report (a held recipient released as the run ends) must not post a new
// message under it.
var ended = &runState{skip: true, final: true}

// runState is one run's progress message.
type runState struct {
	runID  string
	origin herald.Origin // the chat it is shown in
	lang   string        // the broadcast's creator's language
	view   view          // all but the localizer
	skip   bool          // no chat to report to

	// guarded by Reporter.mu
	latest     herald.Progress
	dirty      bool // latest not shown yet
	busy       bool // a send is in flight
	sentAt     time.Time
	final      bool
	finalShown bool

	sendMu sync.Mutex // orders the network calls of one run
	ref    string     // guarded by sendMu
}

// New returns a Reporter; Catalog and Broadcasts are required.
func New(opts Options) (*Reporter, error) {
	if opts.Catalog == nil || opts.Broadcasts == nil {
		return nil, errors.New("adminchat: catalog and broadcasts are required")
	}
	if opts.Interval <= 0 {
		opts.Interval = 3 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Reporter{opts: opts, runs: map[string]*runState{}, notices: NewQueue[string](), cards: map[string][]card{}}
	r.kept.recs = records[keptProgress]{store: opts.ProgressMessages, what: "progress message", log: opts.Logger}
	r.fu.recs = records[followUp]{store: opts.FollowUps, what: "report follow-up", log: opts.Logger}
	opts.Offers.keepIn(&r.kept)
	return r, nil
}

// Progress records a run's latest counts and edits its message when the
// last edit is at least Interval old.
func (r *Reporter) Progress(ctx context.Context, p herald.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stateLocked(p.RunID, p.BroadcastID)
	if st.skip || st.final {
		return
	}
	st.latest, st.dirty = p, true
	r.sendIfDueLocked(ctx, st)
}

// Flush shows progress held back by the throttle once it is due, so a
// run that goes quiet still shows its latest counts. Run calls it.
func (r *Reporter) Flush(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.runs {
		if !st.skip && !st.final && st.dirty {
			r.sendIfDueLocked(ctx, st)
		}
	}
}

// Run shows the end of runs that ended before a restart could show it,
// then calls Flush every Interval until ctx ends.
func (r *Reporter) Run(ctx context.Context) error {
	r.finishUnshown(ctx)
	t := time.NewTicker(r.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			r.Flush(ctx)
			r.UpdateReports(ctx)
		}
	}
}

// Finished shows the run's final state in its progress message, whatever
// the throttle says, then posts the report.
func (r *Reporter) Finished(ctx context.Context, rep herald.Report) {
	r.mu.Lock()
	st := r.stateLocked(rep.RunID, rep.BroadcastID)
	if st == ended {
		r.mu.Unlock()
		return
	}
	st.final = true
	r.runs[rep.RunID] = ended
	r.mu.Unlock()
	if st.skip {
		r.kept.forget(rep.RunID) // kept by a process whose chat is gone
		sum := rep.Sum()
		r.opts.Logger.Info("adminchat: run finished, no admin chat to report to", "run_id", rep.RunID,
			"broadcast_id", rep.BroadcastID, "status", string(rep.Status), "sent", sum.Sent, "failed", sum.Failed,
			"skipped", sum.Skipped, "duration", rep.Duration.Round(time.Second).String())
		return
	}
	// Kept before anything is shown: a restart from here on still shows
	// the run's end, so no message of it is left saying "sending".
	r.kept.ended(st.origin, &rep)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		ctx := context.WithoutCancel(ctx)
		st.sendMu.Lock()
		defer st.sendMu.Unlock()
		v := r.viewOf(st)
		r.show(ctx, st, progressReply(v, &rep.Progress))
		r.mu.Lock()
		st.finalShown = true
		r.mu.Unlock()
		ref, err := r.surface(st).Post(ctx, st.origin, reportReply(r.withButtons(v, &rep), &rep))
		if err != nil {
			// Kept: the next start shows the end again.
			r.opts.Logger.Warn("adminchat: post report", "run_id", rep.RunID, "frontend", st.origin.Frontend, "error", err)
			return
		}
		r.addFollowUp(st, &rep, ref)
		r.postChart(ctx, r.surface(st), st.origin, v, &rep, false)
		r.kept.forget(rep.RunID)
	}()
}

// Wait blocks until every post and edit started so far is done.
func (r *Reporter) Wait() {
	r.wg.Wait()
	r.notices.Wait()
}

func (r *Reporter) surface(st *runState) Surface { return r.opts.Surfaces[st.origin.Frontend] }

// chat is the admin chat where a broadcast made at o is reported: its own,
// or APIChat for the API's; ok is false when there is none.
func (r *Reporter) chat(o herald.Origin) (herald.Origin, bool) {
	if o.Frontend == APIFrontend {
		o = r.opts.APIChat
	}
	return o, r.opts.Surfaces[o.Frontend] != nil && o.ChatID != ""
}

// viewOf is the run's view in its creator's language.
func (r *Reporter) viewOf(st *runState) view {
	v := st.view
	v.loc = r.opts.Catalog.Localizer(st.lang)
	return v
}

// stateLocked returns a run's state, looking its broadcast up the first
// time; r.mu is held.
func (r *Reporter) stateLocked(runID, broadcastID string) *runState {
	if st := r.runs[runID]; st != nil {
		return st
	}
	st := &runState{runID: runID, skip: true}
	r.runs[runID] = st
	b, err := r.opts.Broadcasts.Broadcast(broadcastID)
	if err != nil {
		r.opts.Logger.Warn("adminchat: broadcast of a run", "run_id", runID, "broadcast_id", broadcastID, "error", err)
		return st
	}
	o, ok := r.chat(b.Origin)
	if !ok {
		if b.Origin.Frontend == APIFrontend { // once per run: why nobody sees it in a chat
			r.opts.Logger.Info("adminchat: a broadcast made through the API is sending; set api.report_to to follow it in an admin chat",
				"broadcast_id", b.ID, "run_id", runID, "client", b.Origin.UserName)
		}
		return st
	}
	st.skip, st.origin, st.lang = false, o, r.lang(b.Origin)
	st.ref = r.kept.ref(runID, o) // posted before a restart: edited, not posted again
	st.view = view{zone: r.opts.Location, name: b.Name, sample: b.Audience.Sample, account: r.accountLabel}
	if b.Origin.Frontend == APIFrontend {
		st.view.via = b.Origin.UserName
	}
	if b.Schedule.Kind == herald.SendUserLocal {
		_, st.view.localTime, _ = strings.Cut(b.Schedule.Local, " ")
	}
	return st
}

// sendIfDueLocked starts a send of st.latest when none is in flight and
// the last one is Interval old; r.mu is held.
func (r *Reporter) sendIfDueLocked(ctx context.Context, st *runState) {
	now := r.opts.Now()
	if st.busy || (!st.sentAt.IsZero() && now.Sub(st.sentAt) < r.opts.Interval) {
		return
	}
	st.busy, st.dirty, st.sentAt = true, false, now
	p := st.latest
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		ctx := context.WithoutCancel(ctx)
		st.sendMu.Lock()
		r.mu.Lock()
		stale := st.finalShown
		r.mu.Unlock()
		if !stale {
			r.show(ctx, st, progressReply(r.viewOf(st), &p))
		}
		st.sendMu.Unlock()
		r.mu.Lock()
		st.busy = false
		r.mu.Unlock()
	}()
}

// show posts the progress message the first time and edits it after;
// st.sendMu is held.
func (r *Reporter) show(ctx context.Context, st *runState, reply flows.Reply) {
	s := r.surface(st)
	if st.ref == "" {
		ref, err := s.Post(ctx, st.origin, reply)
		if err != nil {
			r.opts.Logger.Warn("adminchat: post progress", "frontend", st.origin.Frontend, "error", err)
			return
		}
		st.ref = ref
		r.kept.posted(st.runID, st.origin, ref)
		return
	}
	if err := s.Edit(ctx, st.origin, st.ref, reply); err != nil {
		r.opts.Logger.Warn("adminchat: edit progress", "frontend", st.origin.Frontend, "error", err)
	}
}
