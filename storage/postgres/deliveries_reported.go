package postgres

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/jackc/pgx/v5"
)

// reported reports whether a record with outcome o is in
// delivery_reported: the outcomes reports page.
func reported(o herald.Outcome) bool {
	return o == herald.Held || o == herald.Failed || o == herald.Skipped
}

// addReported copies the snapshot's new records that are held, failed or
// skipped (normally none: a snapshot adds pending ones) into
// delivery_reported.
func addReported(ctx context.Context, tx pgx.Tx, runID string, ds []herald.Delivery) error {
	var rows [][]any
	for i := range ds {
		if reported(ds[i].Outcome) {
			rows = append(rows, []any{runID, string(ds[i].Outcome), string(ds[i].Recipient.Platform), int64(ds[i].Seq)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	_, err := tx.CopyFrom(ctx, pgx.Identifier{"delivery_reported"}, []string{"run_id", "outcome", "platform", "seq"}, pgx.CopyFromRows(rows))
	return err
}

// reportedRows are rows of delivery_reported (outcome, platform, Seq), as
// arrays for unnest.
type reportedRows struct {
	outcomes, platforms []string
	seqs                []int64
}

func (r *reportedRows) add(o herald.Outcome, platform string, seq int64) {
	r.outcomes, r.platforms, r.seqs = append(r.outcomes, string(o)), append(r.platforms, platform), append(r.seqs, seq)
}

// queueReported moves the records the commit moved into or out of held,
// failed and skipped in delivery_reported (rare: most go from pending to
// sent, and write nothing here). It is queued in the commit's second
// round trip: by then the commit holds each record's row lock, and a new
// statement's snapshot sees the rows written by a commit that held it
// before (a statement along with the UPDATE would not).
func (c *groupCommit) queueReported(b *pgx.Batch) {
	if len(c.left.seqs) > 0 {
		b.Queue(`DELETE FROM delivery_reported o USING unnest($2::text[], $3::text[], $4::bigint[]) AS m(outcome, platform, seq)
			WHERE o.run_id = $1 AND o.outcome = m.outcome AND o.platform = m.platform AND o.seq = m.seq`,
			c.runID, c.left.outcomes, c.left.platforms, c.left.seqs)
	}
	if len(c.entered.seqs) > 0 {
		b.Queue(`INSERT INTO delivery_reported (run_id, outcome, platform, seq)
			SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[]) ON CONFLICT DO NOTHING`,
			c.runID, c.entered.outcomes, c.entered.platforms, c.entered.seqs)
	}
}
