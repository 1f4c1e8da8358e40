package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// AddDeliveries appends snapshot records (normally Pending) to a run in one
// transaction and adds them to the run's Total and Tally. A Seq already in
// the run is left as it is (a snapshot resumed after a crash adds nothing
// twice).
func (s *Store) AddDeliveries(runID string, ds []herald.Delivery) error {
	return s.write("add deliveries to "+runID, func(ctx context.Context, tx pgx.Tx) error {
		return s.addDeliveriesTx(ctx, tx, runID, ds)
	})
}

// addColumns are what a snapshot writes of a record.
var addColumns = []string{"run_id", "seq", "platform", "account", "recipient", "outcome", "reason",
	"message_id", "attempts", "at_ns", "not_before_ns", "parts_done"}

// addDeliveriesTx is AddDeliveries inside tx. A snapshot appends in Seq
// order, so a batch above the run's newest Seq is copied in (COPY) without
// a look; anything else is inserted skipping the Seqs the run has.
func (s *Store) addDeliveriesTx(ctx context.Context, tx pgx.Tx, runID string, ds []herald.Delivery) error {
	for i := range ds {
		if err := storage.PrepareDelivery(&ds[i]); err != nil {
			return err
		}
	}
	var data []byte
	var newest int64
	err := tx.QueryRow(ctx, `SELECT data, (SELECT coalesce(max(seq), 0) FROM deliveries WHERE run_id = $1)
		FROM runs WHERE id = $1 FOR NO KEY UPDATE`, runID).Scan(&data, &newest)
	if errors.Is(err, pgx.ErrNoRows) {
		return storage.RunNotFound(runID)
	} else if err != nil {
		return err
	}
	run, err := decodeRun(runID, data)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	fresh := ascending(ds, newest)
	if !fresh {
		// Keep each Seq's first record, as bbolt does, and insert those
		// the run lacks.
		ds = firstOfEach(ds)
	}
	rows := make([][]any, len(ds))
	for i := range ds {
		d := &ds[i]
		rows[i] = []any{runID, int64(d.Seq), string(d.Recipient.Platform), d.Recipient.Account, d.Recipient.ID,
			string(d.Outcome), d.Reason, d.MessageID, int32(max(d.Attempts, 0)), storage.UnixNanos(d.At), storage.UnixNanos(d.NotBefore), int32(d.PartsDone)}
	}
	added := ds
	if fresh {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"deliveries"}, addColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
	} else if added, err = insertMissing(ctx, tx, rows, ds); err != nil {
		return err
	}
	if err := addReported(ctx, tx, runID, added); err != nil {
		return err
	}
	var delta herald.Run
	for i := range added {
		run.Total++
		storage.CountDelivery(&delta, added[i].Recipient, added[i].Outcome, 1)
	}
	if err := s.putRunTx(ctx, tx, &run); err != nil {
		return err
	}
	return addCountsTx(ctx, tx, runID, &delta)
}

// ascending reports whether ds's Seqs rise, each once, all above newest.
func ascending(ds []herald.Delivery, newest int64) bool {
	last := newest
	for i := range ds {
		if int64(ds[i].Seq) <= last {
			return false
		}
		last = int64(ds[i].Seq)
	}
	return true
}

// firstOfEach is ds without the later records of a Seq seen before.
func firstOfEach(ds []herald.Delivery) []herald.Delivery {
	seen := make(map[uint32]bool, len(ds))
	out := make([]herald.Delivery, 0, len(ds))
	for _, d := range ds {
		if !seen[d.Seq] {
			seen[d.Seq] = true
			out = append(out, d)
		}
	}
	return out
}

// insertMissing inserts the rows (one per Seq, of ds) that the run lacks
// and returns the records inserted.
func insertMissing(ctx context.Context, tx pgx.Tx, rows [][]any, ds []herald.Delivery) ([]herald.Delivery, error) {
	cols := make([][]any, len(addColumns))
	for c := range cols {
		cols[c] = make([]any, len(rows))
		for r := range rows {
			cols[c][r] = rows[r][c]
		}
	}
	res, err := tx.Query(ctx, `INSERT INTO deliveries (`+strings.Join(addColumns, ", ")+`)
		SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
			$8::text[], $9::int[], $10::bigint[], $11::bigint[], $12::int[])
		ON CONFLICT (run_id, seq) DO NOTHING RETURNING seq`,
		rows[0][0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9], cols[10], cols[11])
	if err != nil {
		return nil, err
	}
	inserted := map[int64]bool{}
	var seq int64
	if _, err := pgx.ForEachRow(res, []any{&seq}, func() error { inserted[seq] = true; return nil }); err != nil {
		return nil, err
	}
	var out []herald.Delivery
	for _, d := range ds {
		if inserted[int64(d.Seq)] {
			out = append(out, d)
		}
	}
	return out, nil
}

// RecordOutcomes writes outcomes for a batch of a run's deliveries in one
// transaction (group commit) and moves the run's Tally from each record's
// old outcome to its new one, so the tally is exact after a crash and
// recording the same outcome twice counts it once. Every Seq must be in
// the run; the recipient stays the one snapshotted.
func (s *Store) RecordOutcomes(runID string, ds []herald.Delivery) error {
	return s.CommitDeliveries(runID, nil, ds)
}

// CommitDeliveries is one group commit of a run's records: it marks the
// records started as in flight, then writes the outcomes ds as
// RecordOutcomes does, in one transaction.
func (s *Store) CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error {
	return s.commit("commit deliveries of "+runID, runID, started, ds, false, false)
}

// SettleInFlight removes the in-flight marks of ds and records the
// outcome of each that is not pending, in one transaction; uncertain
// also counts each in its platform's Tally.Uncertain.
func (s *Store) SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error {
	return s.commit("settle in-flight deliveries of "+runID, runID, nil, ds, true, uncertain)
}

// outcomeSQL writes a batch of outcomes and returns each record's
// platform, account and outcome before (was: read under the row's lock,
// so a commit racing another for the same record counts what it moved). An outcome clears the in-flight
// marks so far; settling ($10) clears them whatever the outcome.
const outcomeSQL = `UPDATE deliveries d SET outcome = u.outcome, reason = u.reason, message_id = u.message_id,
	attempts = u.attempts, at_ns = u.at_ns, not_before_ns = u.not_before_ns, parts_done = u.parts_done, was = d.outcome,
	unmarked = CASE WHEN u.outcome <> 'pending' OR $10
		THEN coalesce((SELECT max(id) FROM delivery_marks WHERE run_id = $1), 0) ELSE d.unmarked END
FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::int[], $7::bigint[], $8::bigint[], $9::int[])
	AS u(seq, outcome, reason, message_id, attempts, at_ns, not_before_ns, parts_done)
WHERE d.run_id = $1 AND d.seq = u.seq
RETURNING d.seq, d.platform, d.account, d.was`

// commit is CommitDeliveries and SettleInFlight: the hot path, so its
// transaction is two round trips, not one a statement. The first begins,
// holds the run (so it is not deleted meanwhile) and writes the marks and
// the outcomes; the second adds what they moved to the run's counters and
// commits. Records are locked in Seq order, counters in theirs.
func (s *Store) commit(what, runID string, started []uint32, ds []herald.Delivery, settle, uncertain bool) error {
	for i := range ds {
		if err := storage.CheckOutcome(&ds[i]); err != nil {
			return fmt.Errorf("storage: %s: %w", what, err)
		}
	}
	ctx := context.Background()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	defer conn.Release()
	c := newGroupCommit(runID, started, ds)
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	// The outcomes and delivery_reported's moves are probes by primary
	// key: planned before autovacuum has analyzed a fresh run's records,
	// the UPDATE hashed the whole run instead (175 ms, not 6, per 1,000).
	b.Queue(`SET LOCAL enable_hashjoin = off`)
	b.Queue(`SET LOCAL enable_mergejoin = off`)
	c.queue(b, settle)
	err = conn.SendBatch(ctx, b).Close()
	var delta *herald.Run
	if err == nil {
		delta, err = c.moved(uncertain)
	}
	if err == nil {
		b = &pgx.Batch{}
		c.queueReported(b)
		queueCounts(b, runID, delta)
		b.Queue(`COMMIT`)
		err = conn.SendBatch(ctx, b).Close()
	}
	if err != nil {
		// A connection left in a transaction is not given back as it is.
		_, _ = conn.Exec(ctx, `ROLLBACK`)
		return fmt.Errorf("storage: %s: %w", what, err)
	}
	s.committed()
	return nil
}

// groupCommit is one commit's records, as arrays for unnest, and what the
// database said of them.
type groupCommit struct {
	runID   string
	started []int64
	ds      []herald.Delivery
	last    []int // the index in ds of each Seq's last record
	seqs    []int64
	got     map[int64]moved
	// The delivery_reported rows the commit leaves and enters.
	left, entered reportedRows
}

// moved is a record's platform, account and outcome before the commit.
type moved struct {
	platform, account, was string
}

func newGroupCommit(runID string, started []uint32, ds []herald.Delivery) *groupCommit {
	c := &groupCommit{runID: runID, ds: ds, last: lastOfEach(ds)}
	slices.SortFunc(c.last, func(a, b int) int { return cmp.Compare(ds[a].Seq, ds[b].Seq) })
	for _, seq := range started {
		c.started = append(c.started, int64(seq))
	}
	return c
}

// queue adds the run's lock, the marks and the outcomes to b.
func (c *groupCommit) queue(b *pgx.Batch, settle bool) {
	b.Queue(`SELECT 1 FROM runs WHERE id = $1 FOR KEY SHARE`, c.runID).QueryRow(func(row pgx.Row) error {
		var one int
		if err := row.Scan(&one); errors.Is(err, pgx.ErrNoRows) {
			return storage.RunNotFound(c.runID)
		} else if err != nil {
			return err
		}
		return nil
	})
	if len(c.started) > 0 {
		b.Queue(`INSERT INTO delivery_marks (run_id, seqs) VALUES ($1, $2)`, c.runID, c.started)
	}
	n := len(c.last)
	if n == 0 {
		return
	}
	c.seqs = make([]int64, n)
	outcomes, reasons, msgs := make([]string, n), make([]string, n), make([]string, n)
	attempts, ats, nbs, parts := make([]int32, n), make([]int64, n), make([]int64, n), make([]int32, n)
	for i, j := range c.last {
		d := &c.ds[j]
		c.seqs[i], outcomes[i], reasons[i], msgs[i] = int64(d.Seq), string(d.Outcome), d.Reason, d.MessageID
		attempts[i], ats[i], nbs[i], parts[i] = int32(max(d.Attempts, 0)), storage.UnixNanos(d.At), storage.UnixNanos(d.NotBefore), int32(d.PartsDone)
	}
	c.got = make(map[int64]moved, n)
	b.Queue(outcomeSQL, c.runID, c.seqs, outcomes, reasons, msgs, attempts, ats, nbs, parts, settle).Query(func(rows pgx.Rows) error {
		var seq int64
		var m moved
		_, err := pgx.ForEachRow(rows, []any{&seq, &m.platform, &m.account, &m.was}, func() error {
			c.got[seq] = m
			return nil
		})
		return err
	})
}

// moved refuses a Seq the run lacks and counts, on a run of its own, what
// the commit moved: each record from its old outcome to its new one.
func (c *groupCommit) moved(uncertain bool) (*herald.Run, error) {
	run := &herald.Run{}
	for i := range c.ds {
		if _, ok := c.got[int64(c.ds[i].Seq)]; !ok {
			return nil, storage.UnknownDelivery(c.ds[i].Seq)
		}
	}
	for i, j := range c.last {
		m := c.got[c.seqs[i]]
		was, now := herald.Outcome(m.was), c.ds[j].Outcome
		if was != now {
			k := herald.SubscriberKey{Platform: herald.Platform(m.platform), Account: m.account}
			storage.CountDelivery(run, k, was, -1)
			storage.CountDelivery(run, k, now, 1)
			if reported(was) {
				c.left.add(was, m.platform, c.seqs[i])
			}
			if reported(now) {
				c.entered.add(now, m.platform, c.seqs[i])
			}
		}
	}
	if uncertain {
		for i := range c.ds {
			storage.CountUncertain(run, herald.Platform(c.got[int64(c.ds[i].Seq)].platform))
		}
	}
	return run, nil
}

// lastOfEach is the index in ds of each Seq's last record, in the order
// of their first: a batch that names a Seq twice ends as its last says.
func lastOfEach(ds []herald.Delivery) []int {
	out := make([]int, 0, len(ds))
	if ascending(ds, -1) { // each Seq once, rising: the usual batch, no map needed
		for i := range ds {
			out = append(out, i)
		}
		return out
	}
	at := make(map[uint32]int, len(ds))
	for i, d := range ds {
		if k, ok := at[d.Seq]; ok {
			out[k] = i
			continue
		}
		at[d.Seq] = len(out)
		out = append(out, i)
	}
	return out
}
