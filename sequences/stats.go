package sequences

import (
	"fmt"

	"github.com/heraldbot/herald"
)

// Stats returns each step's figures: waiting from the sequence's counts,
// sent and failed from its step runs' tallies, tapped from the tap and
// click records every broadcast keeps.
func (s *Service) Stats(q *herald.Sequence) ([]herald.StepStats, error) {
	out := make([]herald.StepStats, len(q.Steps))
	for i, st := range q.Steps {
		out[i] = herald.StepStats{Step: i + 1, Waiting: q.Counts.WaitingAt(i)}
		if b, err := s.opts.Store.Broadcast(st.BroadcastID); err == nil {
			out[i].Stalled = b.Status == herald.StatusPaused
			if b.Step != nil { // runs retention deleted
				out[i].Sent, out[i].Failed = b.Step.Pruned.Sent, b.Step.Pruned.Failed
			}
		}
		runs, err := s.opts.Store.RunsOf(st.BroadcastID)
		if err != nil {
			return nil, fmt.Errorf("sequences: stats of %s: %w", q.ID, err)
		}
		for _, r := range runs {
			for _, t := range r.Tally {
				out[i].Sent += t.Sent
				out[i].Failed += t.Failed
			}
		}
		for _, read := range []func(string) ([]herald.TapCount, error){s.opts.Store.Taps, s.opts.Store.Clicks} {
			counts, err := read(st.BroadcastID)
			if err != nil {
				return nil, fmt.Errorf("sequences: stats of %s: %w", q.ID, err)
			}
			for _, c := range counts {
				out[i].Tapped += c.Unique
			}
		}
	}
	return out, nil
}
