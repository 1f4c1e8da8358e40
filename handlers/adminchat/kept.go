package adminchat

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/heraldbot/herald"
)

// ProgressMessages keeps each run's progress message beyond a restart
// (*storage.Store): the run then edits the message it posted before
// instead of posting a second one, and a run that ended just before a
// crash still shows its end and its report. Without it a restart leaves
// the old message saying "sending" for good.
type ProgressMessages interface {
	PutProgressMessage(runID string, data []byte) error
	ProgressMessages() (map[string][]byte, error)
	DeleteProgressMessage(runID string) error
}

// keptProgress is what is stored of one run's progress message.
type keptProgress struct {
	Origin herald.Origin `json:"origin"`
	Ref    string        `json:"ref,omitempty"`
	// Report is set once the run has ended and until its final state and
	// report are shown.
	Report *herald.Report `json:"report,omitempty"`
}

// keeper writes keptProgress records through; the first use reads those
// a previous process left.
type keeper struct {
	store ProgressMessages // nil: nothing is kept
	r     *Reporter        // for the logger

	mu     sync.Mutex
	loaded bool
	recs   map[string]keptProgress
}

// loadLocked reads the stored records once; k.mu is held.
func (k *keeper) loadLocked() {
	if k.loaded {
		return
	}
	k.loaded, k.recs = true, map[string]keptProgress{}
	all, err := k.store.ProgressMessages()
	if err != nil {
		k.r.opts.Logger.Warn("adminchat: read kept progress messages", "error", err)
		return
	}
	for runID, data := range all {
		var rec keptProgress
		if err := json.Unmarshal(data, &rec); err != nil {
			k.r.opts.Logger.Warn("adminchat: kept progress message unreadable", "run_id", runID, "error", err)
			continue
		}
		k.recs[runID] = rec
	}
}

// ref is the message a previous process posted for the run in chat o, or "".
func (k *keeper) ref(runID string, o herald.Origin) string {
	if k.store == nil {
		return ""
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked()
	if rec, ok := k.recs[runID]; ok && rec.Origin == o {
		return rec.Ref
	}
	return ""
}

// change applies fn to the run's record and stores it.
func (k *keeper) change(runID string, fn func(rec *keptProgress)) {
	if k.store == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked()
	rec := k.recs[runID]
	fn(&rec)
	k.recs[runID] = rec
	data, err := json.Marshal(rec)
	if err == nil {
		err = k.store.PutProgressMessage(runID, data)
	}
	if err != nil {
		k.r.opts.Logger.Warn("adminchat: keep progress message", "run_id", runID, "error", err)
	}
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
	if k.store == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked()
	if _, ok := k.recs[runID]; !ok {
		return
	}
	delete(k.recs, runID)
	if err := k.store.DeleteProgressMessage(runID); err != nil {
		k.r.opts.Logger.Warn("adminchat: forget progress message", "run_id", runID, "error", err)
	}
}

// unshown are the reports of runs that ended while their end was not yet
// shown (the process stopped first).
func (k *keeper) unshown() []herald.Report {
	if k.store == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked()
	var out []herald.Report
	for _, rec := range k.recs {
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
