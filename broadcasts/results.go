package broadcasts

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
)

// page is how many deliveries are read per storage call: a run of a
// million recipients never sits in memory.
const page = 1000

// Retryable is how many recipients a retry would reach: those the last
// run failed, less those who blocked the bot (a retry cannot reach them).
// It is 0 while a run is going or when there was none.
func (s *Service) Retryable(id string) (int, error) {
	runs, err := s.opts.Store.RunsOf(id)
	if err != nil || len(runs) == 0 {
		return 0, wrap("retryable", id, err)
	}
	last := runs[len(runs)-1]
	switch last.Status {
	case herald.RunCompleted, herald.RunFailed, herald.RunCanceled:
	default:
		return 0, nil
	}
	n := 0
	err = s.eachFailed(last.ID, func(d herald.Delivery) error {
		if d.Reason != herald.ReasonBlocked {
			n++
		}
		return nil
	})
	return n, wrap("retryable", id, err)
}

// RetryFailed sends the broadcast again to the recipients its last run
// failed (only the parts of a message they lack), as a new run that
// reports like any other. ErrNothingToRetry when there is nobody;
// herald.ErrConflict while a run is going.
func (s *Service) RetryFailed(ctx context.Context, id string, who Actor) (herald.Run, int, error) {
	n, err := s.Retryable(id)
	if err != nil {
		return herald.Run{}, 0, err
	}
	if n == 0 {
		runs, err := s.opts.Store.RunsOf(id)
		if err == nil && len(runs) > 0 {
			switch runs[len(runs)-1].Status {
			case herald.RunSnapshotting, herald.RunSending, herald.RunPaused:
				return herald.Run{}, 0, wrap("retry", id, herald.ErrConflict)
			}
		}
		return herald.Run{}, 0, wrap("retry", id, ErrNothingToRetry)
	}
	b, err := s.opts.Store.Broadcast(id)
	if err != nil {
		return herald.Run{}, 0, wrap("retry", id, err)
	}
	if s.opts.Runs == nil {
		return herald.Run{}, 0, wrap("retry", id, ErrNoDispatcher)
	}
	run, err := s.opts.Runs.RetryFailed(ctx, id, who.Key)
	if err != nil {
		return run, 0, wrap("retry", id, err)
	}
	s.changed(ctx, who, "retry_failed", run.ID, herald.BroadcastChanged{Broadcast: b, From: b.Status})
	return run, n, nil
}

// eachFailed streams a run's failed deliveries.
func (s *Service) eachFailed(runID string, fn func(herald.Delivery) error) error {
	var after uint32
	for {
		ds, err := s.opts.Store.Deliveries(runID, herald.Failed, after, page)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if err := fn(d); err != nil {
				return err
			}
		}
		if len(ds) < page {
			return nil
		}
		after = ds[len(ds)-1].Seq
	}
}

// failuresHeader is the failures CSV's first line: the same file in the
// chat (/errors) and from the API. account, last so that readers of the
// older columns by position still read them, is the named account the
// recipient follows ("" for the platform's top-level one).
var failuresHeader = []string{"run_id", "platform", "recipient_id", "reason", "attempts", "at", "account"}

// errCut marks a failures CSV that stopped part way.
var errCut = errors.New("broadcasts: failures CSV cut short")

// WriteFailures writes every failed delivery of every run of id as CSV
// and counts them by account and reason. begin (may be nil) is called once the first
// page is read, before anything is written: an error before it can still
// be answered properly (the API's JSON error).
func (s *Service) WriteFailures(w io.Writer, id string, begin func()) (herald.ReasonCounter, int, error) {
	runs, err := s.opts.Store.RunsOf(id)
	if err != nil {
		return nil, 0, wrap("failures", id, err)
	}
	var first []herald.Delivery
	if len(runs) > 0 {
		if first, err = s.opts.Store.Deliveries(runs[0].ID, herald.Failed, 0, page); err != nil {
			return nil, 0, wrap("failures", id, err)
		}
	}
	if begin != nil {
		begin()
	}
	cw := csv.NewWriter(w)
	defer cw.Flush()
	_ = cw.Write(failuresHeader)
	reasons, total := herald.ReasonCounter{}, 0
	// rows writes run's deliveries with outcome o that keep admits, page by
	// page; ds is the first page when it is already read (nil: read it).
	rows := func(run herald.Run, o herald.Outcome, ds []herald.Delivery, keep func(*herald.Delivery) bool) error {
		for after := uint32(0); ; after = ds[len(ds)-1].Seq {
			if ds == nil || after > 0 {
				if ds, err = s.opts.Store.Deliveries(run.ID, o, after, page); err != nil {
					return errors.Join(errCut, wrap("failures", id, err))
				}
			}
			for i := range ds {
				if d := &ds[i]; keep(d) {
					total++
					reasons[herald.ReasonCount{Platform: d.Recipient.Platform, Account: d.Recipient.Account, Reason: d.Reason}]++
					_ = cw.Write([]string{run.ID, string(d.Recipient.Platform), d.Recipient.ID, d.Reason,
						strconv.Itoa(d.Attempts), formatTime(d.At), d.Recipient.Account})
				}
			}
			if len(ds) < page {
				return nil
			}
		}
	}
	all := func(*herald.Delivery) bool { return true }
	uncertain := func(d *herald.Delivery) bool { return d.Reason == herald.ReasonUncertain }
	for i, run := range runs {
		var ds []herald.Delivery
		if i == 0 {
			ds = first
		}
		if err := rows(run, herald.Failed, ds, all); err != nil {
			return reasons, total, err
		}
		// Recipients a crash left mid-send and on_uncertain: skip did not
		// resend may not have it either: they belong in the same list.
		if uncertainIn(run) {
			if err := rows(run, herald.Skipped, nil, uncertain); err != nil {
				return reasons, total, err
			}
		}
		cw.Flush()
	}
	return reasons, total, cw.Error()
}

// uncertainIn reports whether a run skipped recipients whose outcome a
// crash left unknown.
func uncertainIn(run herald.Run) bool {
	for _, t := range run.Tally {
		if t.Uncertain > 0 {
			return true
		}
	}
	return false
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
