package postgres

import (
	"context"
	"fmt"
	"math"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// A run's records are rows of deliveries keyed (run_id, seq). Whoever
// changes them (and so the run's Tally and Total, kept in the run's JSON)
// holds the run's row lock: writers of one run take turns as in bbolt,
// and the counters stay exact.

// deliveryCols are a record's columns, in the order scanDelivery reads.
const deliveryCols = `seq, platform, account, recipient, outcome, reason, message_id, attempts, at_ns, not_before_ns, parts_done`

// querier is a transaction or the pool: a page is one statement, so the
// hot path reads without a transaction of its own.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pageQuery is the query of a page of outcome's records: pending pages
// read deliveries_of_platform, held, failed and skipped ones
// delivery_reported, the rest the records themselves.
func pageQuery(outcome herald.Outcome) (q string, byParam bool) {
	const head = `SELECT ` + deliveryCols + ` FROM deliveries WHERE run_id = $1 AND seq > $2`
	const tail = ` ORDER BY seq LIMIT $3`
	switch outcome {
	case "":
		return head + tail, false
	case herald.Pending:
		// Each platform's page from deliveries_of_platform, merged. A
		// run's platforms are its counters' (run_counts).
		return `SELECT ` + deliveryCols + ` FROM (SELECT scope FROM run_counts WHERE run_id = $1 AND NOT account) p,
			LATERAL (SELECT ` + deliveryCols + ` FROM deliveries WHERE run_id = $1 AND platform = p.scope
				AND outcome = 'pending' AND seq > $2 ORDER BY seq LIMIT $3) d` + tail, false
	case herald.Held, herald.Failed, herald.Skipped:
		// Each platform's page from delivery_reported, merged: the sent
		// bulk is never read.
		return `SELECT ` + deliveryCols + ` FROM (SELECT scope FROM run_counts WHERE run_id = $1 AND NOT account) p,
			LATERAL (SELECT seq AS reported_seq FROM delivery_reported WHERE run_id = $1 AND outcome = '` + string(outcome) + `'
				AND platform = p.scope AND seq > $2 ORDER BY seq LIMIT $3) o,
			` + reportedRecord + tail, false
	}
	return head + ` AND outcome = $4` + tail, true
}

// reportedRecord reads the record of each reported_seq by its primary
// key (OFFSET 0 keeps the planner to that order).
const reportedRecord = `LATERAL (SELECT ` + deliveryCols + ` FROM deliveries
	WHERE run_id = $1 AND seq = o.reported_seq OFFSET 0) d`

// pendingSQL is a page of one platform's pending records: read from
// deliveries_of_platform past the pager's cursor, where all but the few
// retried or held records are still pending.
const pendingSQL = `SELECT ` + deliveryCols + ` FROM deliveries
	WHERE run_id = $1 AND platform = $2 AND outcome = 'pending' AND seq > $3 ORDER BY seq LIMIT $4`

// limitArg is limit as SQL takes it: NULL for all.
func limitArg(limit int) any {
	if limit <= 0 {
		return nil
	}
	return limit
}

// Deliveries returns up to limit (0: all) deliveries of a run with
// Seq > after, in Seq order, filtered by outcome when outcome is not "".
// Pending, held, failed and skipped pages read only matching records.
func (s *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	if _, _, err := storage.ParseRunID(runID); err != nil {
		return nil, fmt.Errorf("storage: read deliveries: %w", err)
	}
	var out []herald.Delivery
	err := s.read("read deliveries of "+runID, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		out, err = s.deliveriesTx(ctx, tx, runID, outcome, after, limit)
		return err
	})
	return out, err
}

// deliveriesTx is Deliveries inside tx.
func (s *Store) deliveriesTx(ctx context.Context, tx pgx.Tx, runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	q, byParam := pageQuery(outcome)
	args := []any{runID, int64(after), limitArg(limit)}
	if byParam {
		args = append(args, string(outcome))
	}
	return readDeliveries(ctx, tx, runID, q, args...)
}

// PendingDeliveries returns up to limit (0: all) pending deliveries of a
// run on platform p with Seq > after, in Seq order, reading only those:
// each channel's pager pages its own (deliveries_pending).
func (s *Store) PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error) {
	if _, _, err := storage.ParseRunID(runID); err != nil {
		return nil, fmt.Errorf("storage: read deliveries: %w", err)
	}
	out, err := readDeliveries(context.Background(), s.pool, runID, pendingSQL, runID, string(p), int64(after), limitArg(limit))
	if err != nil {
		return nil, fmt.Errorf("storage: read deliveries of %s: %w", runID, err)
	}
	return out, nil
}

// InFlight returns a run's pending records marked in flight, in Seq
// order: after a crash, the recipients whose send started and whose
// outcome was never recorded.
func (s *Store) InFlight(runID string) ([]herald.Delivery, error) {
	if _, _, err := storage.ParseRunID(runID); err != nil {
		return nil, fmt.Errorf("storage: read deliveries: %w", err)
	}
	// The marked Seqs drive, each record read by its primary key: LATERAL
	// with OFFSET 0 keeps the planner to that order. A plain join, planned
	// before autovacuum has analyzed a run's fresh records, rescanned the
	// marks once per pending record: 17 s for a 30,000-recipient run
	// resumed by the cluster test, 95 s for 15,000 pending in psql.
	out, err := readDeliveries(context.Background(), s.pool, runID, `SELECT `+deliveryCols+` FROM
		(SELECT k.seq AS marked, max(m.id) AS mark FROM delivery_marks m, unnest(m.seqs) AS k(seq)
			WHERE m.run_id = $1 GROUP BY k.seq) k,
		LATERAL (SELECT `+deliveryCols+`, unmarked FROM deliveries WHERE run_id = $1 AND seq = k.marked OFFSET 0) d
		WHERE outcome = 'pending' AND mark > unmarked ORDER BY seq`, runID)
	if err != nil {
		return nil, fmt.Errorf("storage: read in-flight deliveries of %s: %w", runID, err)
	}
	return out, nil
}

// readDeliveries runs a page query; an empty page of a run that does not
// exist is herald.ErrNotFound (asked only then: pages of a run are many).
func readDeliveries(ctx context.Context, q querier, runID, sql string, args ...any) ([]herald.Delivery, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	var out []herald.Delivery
	var d herald.Delivery
	var seq, at, notBefore int64
	var platform, outcome string
	_, err = pgx.ForEachRow(rows, []any{&seq, &platform, &d.Recipient.Account, &d.Recipient.ID, &outcome,
		&d.Reason, &d.MessageID, &d.Attempts, &at, &notBefore, &d.PartsDone}, func() error {
		if seq <= 0 || seq > math.MaxUint32 {
			return fmt.Errorf("delivery %d: Seq out of range", seq)
		}
		d.Seq, d.Recipient.Platform, d.Outcome = uint32(seq), herald.Platform(platform), herald.Outcome(outcome)
		d.At, d.NotBefore = storage.FromUnixNanos(at), storage.FromUnixNanos(notBefore)
		out = append(out, d)
		return nil
	})
	if err != nil || len(out) > 0 {
		return out, err
	}
	var exists bool
	if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM runs WHERE id = $1)`, runID).Scan(&exists); err != nil {
		return nil, err
	}
	if !exists {
		return nil, storage.RunNotFound(runID)
	}
	return out, nil
}
