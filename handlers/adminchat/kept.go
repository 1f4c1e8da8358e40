package adminchat

import (
	"context"
	"encoding/json"
	"strings"
	"sync"

	"github.com/heraldbot/herald"
)

// ProgressMessages keeps each run's progress message beyond a restart
// (*storage.Store): the run then edits the message it posted before
// instead of posting a second one, and a run that ended just before a
// crash still shows its end and its report. Without it a restart leaves
// the old message saying "sending" for good. Undo offers are kept there
// too (undoKey), so a run that starts after a restart still closes them.
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
	k.forgetLocked(runID)
}

// forgetLocked drops the record under key, if any; k.mu is held.
func (k *keeper) forgetLocked(key string) {
	if _, ok := k.recs[key]; !ok {
		return
	}
	delete(k.recs, key)
	if err := k.store.DeleteProgressMessage(key); err != nil {
		k.r.opts.Logger.Warn("adminchat: forget kept message", "key", key, "error", err)
	}
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
// those a previous one left) and forgets them.
func (k *keeper) takeOffers(id string) []offer {
	if k.store == nil {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.loadLocked()
	var out []offer
	for key, rec := range k.recs {
		if strings.HasPrefix(key, undoKey(id, "")) {
			out = append(out, offer{where: rec.Origin, ref: rec.Ref})
			k.forgetLocked(key)
		}
	}
	return out
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
