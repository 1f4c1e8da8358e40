package adminchat

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Publish is the admin chats subscribing to the events sink: a run's
// progress and report, a heads-up, a missed broadcast or one that could
// not start, and the changes
// people make that others should hear of (approval requests, decisions).
// It returns at once; posting happens on the reporter's goroutines.
func (r *Reporter) Publish(ctx context.Context, e herald.Event) {
	switch e := e.(type) {
	case herald.RunProgress:
		r.closeOffers(ctx, e.Progress.BroadcastID, !r.knows(e.Progress.RunID))
		r.Progress(ctx, e.Progress)
	case herald.RunFinished:
		r.closeOffers(ctx, e.Report.BroadcastID, true)
		r.Finished(ctx, e.Report)
	case herald.HeadsUp:
		r.Upcoming(ctx, e.Broadcast, e.At)
	case herald.Missed:
		r.Missed(ctx, e.Broadcast, e.Late)
	case herald.StartFailed:
		r.StartFailed(ctx, e.Broadcast)
	case herald.BroadcastChanged:
		r.changed(ctx, e)
	case herald.ABDecided:
		loc, _ := r.readerOf(e.Test.Origin)
		r.notify(ctx, e.Test.ID, e.Test.Origin, flows.ABReply(loc, &e))
	}
}

// knows reports whether the Reporter has heard of run runID before.
func (r *Reporter) knows(runID string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.runs[runID]
	return ok
}
