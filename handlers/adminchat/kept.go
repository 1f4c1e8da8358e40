package adminchat

import (
	"context"
	"strings"
	"sync"

	"github.com/heraldbot/herald"
)

// keptProgress is what is stored of one run's progress message.
type keptProgress struct {
	Origin herald.Origin `json:"origin"`
	Ref    string        `json:"ref,omitempty"`
	// Report is set once the run has ended and until its final state and
	// report are shown.
	Report *herald.Report `json:"report,omitempty"`
}

// keeper writes keptProgress records through to Options.ProgressMessages
// (nil: nothing is kept), so that a restart edits the progress message
// posted before instead of posting a second one, and a run that ended
// just before a crash still shows its end and its report. Undo offers are
// kept there too (undoKey), so a run that starts after a restart still
// closes them.
type keeper struct {
	mu   sync.Mutex
	recs records[keptProgress]
}

// ref is the message a previous process posted for the run in chat o, or "".
func (k *keeper) ref(runID string, o herald.Origin) string {
	if k.recs.store == nil {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.recs.load()
	if rec, ok := k.recs.recs[runID]; ok && rec.Origin == o {
		return rec.Ref
	}
	return ""
}

// change applies fn to the run's record and stores it.
func (k *keeper) change(runID string, fn func(rec *keptProgress)) {
	if k.recs.store == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.recs.load()
	rec := new(keptProgress)
	if old, ok := k.recs.recs[runID]; ok {
		*rec = *old
	}
	fn(rec)
	k.recs.put(runID, rec)
}

// posted keeps where the run's progress message is.
func (k *keeper) posted(runID string, o herald.Origin, ref string) {
	k.change(runID, func(rec *keptProgress) { rec.Origin, rec.Ref = o, ref })
}

// ended keeps the run's report until it is shown.
func (k *keeper) ended(o herald.Origin, rep *herald.Report) {
	k.change(rep.RunID, func(rec *keptProgress) { rec.Origin, rec.Report = o, rep })
}

// forget drops the run's record: its end is shown.
func (k *keeper) forget(runID string) {
	if k.recs.store == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.recs.load()
	k.recs.drop(runID)
}

// undoKey is where an undo offer (Offers) is kept among the progress
// messages: under its broadcast's ID, beside its runs' ("B-7K2Q/1"), so
// the run that starts after a restart still edits it.
func undoKey(broadcastID, ref string) string { return broadcastID + "/undo/" + ref }

// offered keeps the undo offer ref of broadcast id, posted in o.
func (k *keeper) offered(id string, o herald.Origin, ref string) {
	k.change(undoKey(id, ref), func(rec *keptProgress) { rec.Origin, rec.Ref = o, ref })
}

// takeOffers returns broadcast id's kept undo offers (this process's and
// those a previous one left) and forgets them. fresh reads the store
// again first, for those another instance sharing the database posted
// after this one loaded it.
func (k *keeper) takeOffers(id string, fresh bool) []offer {
	if k.recs.store == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if fresh {
		k.recs.loaded = false
	}
	k.recs.load()
	var out []offer
	for key, rec := range k.recs.recs {
		if strings.HasPrefix(key, undoKey(id, "")) {
			out = append(out, offer{where: rec.Origin, ref: rec.Ref})
			k.recs.drop(key)
		}
	}
	return out
}

// unshown are the reports of runs that ended while their end was not yet
// shown (the process stopped first).
func (k *keeper) unshown() []herald.Report {
	if k.recs.store == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.recs.load()
	var out []herald.Report
	for _, rec := range k.recs.recs {
		if rec.Report != nil {
			out = append(out, *rec.Report)
		}
	}
	return out
}

// finishUnshown shows the end of the runs that ended before a restart
// could show it: their progress message's final state, then the report.
func (r *Reporter) finishUnshown(ctx context.Context) {
	for _, rep := range r.kept.unshown() {
		r.opts.Logger.Info("adminchat: showing the end of a run that ended before the restart", "run_id", rep.RunID)
		r.Finished(ctx, rep)
	}
}

// Reload makes the reporter read its kept progress messages and report
// follow-ups from storage again at their next use: in a deployment of
// several instances, the instance that takes the sending over edits the
// messages the previous one posted.
func (r *Reporter) Reload() {
	r.kept.mu.Lock()
	r.kept.recs.loaded = false
	r.kept.mu.Unlock()
	r.fu.reload()
}
