package postgres

import (
	"cmp"
	"context"
	"slices"

	"github.com/heraldbot/herald"
	"github.com/jackc/pgx/v5"
)

// A run's Tally and AccountTally are rows of run_counts (see the
// migration): the run's JSON is saved without them and read with them.

// loadCounts reads the counters of runs into them.
func loadCounts(ctx context.Context, q querier, runs ...*herald.Run) error {
	if len(runs) == 0 {
		return nil
	}
	byID := make(map[string]*herald.Run, len(runs))
	ids := make([]string, len(runs))
	for i, r := range runs {
		r.Tally, r.AccountTally = nil, nil
		byID[r.ID], ids[i] = r, r.ID
	}
	rows, err := q.Query(ctx, `SELECT run_id, account, scope, pending, sent, failed, skipped, uncertain
		FROM run_counts WHERE run_id = ANY($1)`, ids)
	if err != nil {
		return err
	}
	var id, scope string
	var account bool
	var t herald.Tally
	_, err = pgx.ForEachRow(rows, []any{&id, &account, &scope, &t.Pending, &t.Sent, &t.Failed, &t.Skipped, &t.Uncertain}, func() error {
		r := byID[id]
		switch {
		case r == nil:
		case account:
			if r.AccountTally == nil {
				r.AccountTally = map[string]herald.Tally{}
			}
			r.AccountTally[scope] = t
		default:
			if r.Tally == nil {
				r.Tally = map[herald.Platform]herald.Tally{}
			}
			r.Tally[herald.Platform(scope)] = t
		}
		return nil
	})
	return err
}

// queueCounts adds the counters of delta (what a write moved, counted on
// a run of its own with storage's rules) to run runID's, in b. The rows
// are added in one order (platforms, then accounts, by name) so that two
// writers never wait for each other in a circle.
func queueCounts(b *pgx.Batch, runID string, delta *herald.Run) {
	type row struct {
		account bool
		scope   string
		t       herald.Tally
	}
	var rs []row
	for p, t := range delta.Tally {
		rs = append(rs, row{false, string(p), t})
	}
	for a, t := range delta.AccountTally {
		rs = append(rs, row{true, a, t})
	}
	if len(rs) == 0 {
		return
	}
	slices.SortFunc(rs, func(a, b row) int {
		if a.account != b.account {
			if a.account {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.scope, b.scope)
	})
	n := len(rs)
	accounts, scopes := make([]bool, n), make([]string, n)
	pending, sent, failed, skipped, uncertain := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	for i, r := range rs {
		accounts[i], scopes[i] = r.account, r.scope
		pending[i], sent[i], failed[i], skipped[i], uncertain[i] = int64(r.t.Pending), int64(r.t.Sent), int64(r.t.Failed), int64(r.t.Skipped), int64(r.t.Uncertain)
	}
	b.Queue(`INSERT INTO run_counts (run_id, account, scope, pending, sent, failed, skipped, uncertain)
		SELECT $1, * FROM unnest($2::boolean[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[])
		ON CONFLICT (run_id, account, scope) DO UPDATE SET pending = run_counts.pending + excluded.pending,
			sent = run_counts.sent + excluded.sent, failed = run_counts.failed + excluded.failed,
			skipped = run_counts.skipped + excluded.skipped, uncertain = run_counts.uncertain + excluded.uncertain`,
		runID, accounts, scopes, pending, sent, failed, skipped, uncertain)
}

// addCountsTx adds delta's counters to run runID's inside tx.
func addCountsTx(ctx context.Context, tx pgx.Tx, runID string, delta *herald.Run) error {
	b := &pgx.Batch{}
	queueCounts(b, runID, delta)
	if b.Len() == 0 {
		return nil
	}
	return tx.SendBatch(ctx, b).Close()
}
