package adminchat

import (
	"context"
	"sync"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// A report is edited twice after its run ends, at 1 h and 24 h, with the
// button taps and clicks counted since: most people open a broadcast
// within a day, so the report right at the end understates them. The
// 24 h update also posts the chart again, with who tapped and clicked
// over the first day beneath the deliveries (when anyone did): a new
// message, because an edited report or photo notifies nobody. Which
// reports are due is kept in the database (Options.FollowUps) and checked on the
// Reporter's ticker, so a restart still makes the updates; a process
// that was down at the time makes each late update once, not twice.

// followUpAfter are the times after a run's end its report is updated.
var followUpAfter = []time.Duration{time.Hour, 24 * time.Hour}

// followUp is one report to update, as stored.
type followUp struct {
	Origin herald.Origin  `json:"origin"`
	Ref    string         `json:"ref"` // the report message
	Lang   string         `json:"lang,omitempty"`
	Name   string         `json:"name"`
	Via    string         `json:"via,omitempty"`
	Local  string         `json:"local,omitempty"`
	Sample *herald.Sample `json:"sample,omitempty"`
	Report herald.Report  `json:"report"`
	Ended  time.Time      `json:"ended"`
	Done   int            `json:"done"` // updates made: an index into followUpAfter
}

// followUps holds the records in memory, written through to the store.
type followUps struct {
	mu   sync.Mutex
	recs records[followUp]
}

// addFollowUp schedules the updates of a report just posted as ref.
func (r *Reporter) addFollowUp(st *runState, rep *herald.Report, ref string) {
	if r.opts.FollowUps == nil || ref == "" {
		return
	}
	f := &followUp{Origin: st.origin, Ref: ref, Lang: st.lang, Name: st.view.name, Via: st.view.via,
		Local: st.view.localTime, Sample: st.view.sample, Report: *rep, Ended: r.opts.Now()}
	r.fu.mu.Lock()
	defer r.fu.mu.Unlock()
	r.fu.recs.load()
	r.storeFollowUp(rep.RunID, f)
}

// storeFollowUp writes f, or forgets the run once every update is made;
// ok is false when that failed (and was logged).
func (r *Reporter) storeFollowUp(runID string, f *followUp) (ok bool) {
	if f.Done >= len(followUpAfter) {
		return r.fu.recs.drop(runID)
	}
	return r.fu.recs.put(runID, f)
}

// UpdateReports edits the reports whose next update is due at now with
// the taps and clicks counted so far. Run calls it on every tick; tests
// call it with an injected clock.
func (r *Reporter) UpdateReports(ctx context.Context) {
	if r.opts.FollowUps == nil {
		return
	}
	now := r.opts.Now()
	r.fu.mu.Lock()
	defer r.fu.mu.Unlock()
	r.fu.recs.load()
	for runID, f := range r.fu.recs.recs {
		if f.Done >= len(followUpAfter) || now.Before(f.Ended.Add(followUpAfter[f.Done])) {
			continue
		}
		// A late process skips to the last update due: one edit, not two.
		for f.Done+1 < len(followUpAfter) && !now.Before(f.Ended.Add(followUpAfter[f.Done+1])) {
			f.Done++
		}
		r.editReport(ctx, f, now, followUpAfter[f.Done])
		f.Done++
		// The chart goes after the record is stored as done: a restart
		// in between loses it rather than posting it twice.
		if r.storeFollowUp(runID, f) && f.Done == len(followUpAfter) {
			r.postChart(ctx, r.opts.Surfaces[f.Origin.Frontend], f.Origin, r.followUpView(f), &f.Report, true)
		}
	}
}

// editReport shows the report again with the button counts of now and a
// line saying it is the update due after the run's end.
func (r *Reporter) editReport(ctx context.Context, f *followUp, now time.Time, after time.Duration) {
	s := r.opts.Surfaces[f.Origin.Frontend]
	if s == nil {
		return
	}
	v := r.followUpView(f)
	reply := reportReply(r.withButtons(v, &f.Report), &f.Report)
	reply.Text += "\n" + v.loc.T("report.updated", "After", flows.WholeMinutes(v.loc, int64(after/time.Minute)), "At", v.clock(now, now))
	if err := s.Edit(ctx, f.Origin, f.Ref, reply); err != nil {
		r.opts.Logger.Warn("adminchat: update report", "run_id", f.Report.RunID, "frontend", f.Origin.Frontend, "error", err)
	}
}

// followUpView is the report's view as stored, in its creator's language.
func (r *Reporter) followUpView(f *followUp) view {
	return view{loc: r.opts.Catalog.Localizer(f.Lang), zone: r.opts.Location, name: f.Name, via: f.Via, localTime: f.Local, sample: f.Sample, account: r.accountLabel}
}

// reload forgets what was read of the follow-ups (see Reporter.Reload).
func (f *followUps) reload() {
	f.mu.Lock()
	f.recs.loaded = false
	f.mu.Unlock()
}
