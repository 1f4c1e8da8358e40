package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// importTables are the kinds copied one to one into a table of the same
// name and columns (COPY; the tables' other columns take their defaults).
var importTables = map[string]bool{
	storage.KindSubscriberMove.Name: true, storage.KindDeliveries.Name: true, storage.KindSeenEvents.Name: true,
	storage.KindTapCounts.Name: true, storage.KindTapUsers.Name: true, storage.KindClickCounts.Name: true,
	storage.KindClickUsers.Name: true, storage.KindSecrets.Name: true, storage.KindSessions.Name: true,
	storage.KindAdmins.Name: true, storage.KindAudit.Name: true, storage.KindChatRecords.Name: true,
	storage.KindMedia.Name: true, storage.KindSequences.Name: true, storage.KindEnrollments.Name: true,
	storage.KindSequenceRuns.Name: true, storage.KindAPIEvents.Name: true, storage.KindSequenceNotes.Name: true,
}

// Import writes a stream into this database, which must be empty (the
// command checks; see storage.CheckEmpty), in one transaction: a copy
// that fails half way leaves the database as empty as it found it. Each
// kind is one COPY. What Postgres derives (name keys, run_counts,
// delivery_reported, the identities' next numbers) is written with it.
// The audience index of this Store is not: reopen the database to use it.
func (s *Store) Import(ctx context.Context, rs *storage.RecordStream) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		im := pgImport{ctx: ctx, tx: tx, rs: rs}
		for {
			kind := rs.PeekKind()
			if kind == "" {
				if err := rs.Err(); err != nil {
					return err // nothing of a failed read is committed
				}
				return im.finish()
			}
			if err := im.kind(kind); err != nil {
				return fmt.Errorf("import %s: %w", kind, err)
			}
		}
	})
	if err != nil {
		return fmt.Errorf("storage: import into %s: %w", s.where, err)
	}
	return nil
}

type pgImport struct {
	ctx context.Context
	tx  pgx.Tx
	rs  *storage.RecordStream
	// subscriberSeq is the last Seq handed out in the source.
	subscriberSeq int64
}

// kind writes the records of kind up to the next kind.
func (im *pgImport) kind(kind string) error {
	switch kind {
	case storage.KindCounters.Name:
		return im.each(kind, im.counter)
	case storage.KindSubscribers.Name:
		return im.copy(kind, "subscribers", []string{"seq", "platform", "account", "id", "name", "version", "record"}, subscriberRow)
	case storage.KindBroadcasts.Name:
		return im.copy(kind, "broadcasts", []string{"id", "status", "created_at", "name_key", "data"}, broadcastRow)
	case storage.KindRuns.Name:
		return im.each(kind, im.run)
	case storage.KindInFlight.Name:
		return im.inFlight()
	}
	for _, k := range storage.Kinds() {
		if k.Name == kind && importTables[kind] {
			types, err := im.columnTypes(kind)
			if err != nil {
				return err
			}
			return im.copy(kind, kind, k.Columns, func(v *storage.RecordValues, r storage.Record) ([]any, error) {
				if len(r.Values) != len(k.Columns) {
					return nil, fmt.Errorf("%d values, not %d", len(r.Values), len(k.Columns))
				}
				return asColumns(r.Values, k.Columns, types), nil
			})
		}
	}
	return fmt.Errorf("this herald does not know records of kind %q (a newer herald wrote the source?)", kind)
}

// columnTypes reads the types of table's columns: a key the stream
// carries as text or bytes is written as its column keeps it.
func (im *pgImport) columnTypes(table string) (map[string]string, error) {
	rows, err := im.tx.Query(im.ctx, `SELECT column_name::text, data_type::text FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	var name, typ string
	_, err = pgx.ForEachRow(rows, []any{&name, &typ}, func() error { types[name] = typ; return nil })
	return types, err
}

// asColumns turns text into bytes for a bytea column and bytes into
// text for a text column.
func asColumns(vals []any, cols []string, types map[string]string) []any {
	for i, v := range vals {
		switch x := v.(type) {
		case string:
			if types[cols[i]] == "bytea" {
				vals[i] = []byte(x)
			}
		case []byte:
			if types[cols[i]] == "text" {
				vals[i] = string(x)
			}
		}
	}
	return vals
}

// each calls fn with every record of kind, up to the next kind.
func (im *pgImport) each(kind string, fn func(v *storage.RecordValues) error) error {
	for im.rs.PeekKind() == kind {
		r, _ := im.rs.Next()
		v := storage.Values(r)
		if err := fn(v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
	}
	return nil
}

// copy COPYs the records of kind, up to the next kind, into table, each
// turned into a row by row.
func (im *pgImport) copy(kind, table string, cols []string, row func(v *storage.RecordValues, r storage.Record) ([]any, error)) error {
	src := &copySource{rs: im.rs, kind: kind, row: row}
	_, err := im.tx.CopyFrom(im.ctx, pgx.Identifier{table}, cols, src)
	return err
}

// copySource feeds COPY from the stream until the kind changes.
type copySource struct {
	rs   *storage.RecordStream
	kind string
	row  func(v *storage.RecordValues, r storage.Record) ([]any, error)
	vals []any
	err  error
}

func (c *copySource) Next() bool {
	if c.err != nil || c.rs.PeekKind() != c.kind {
		return false
	}
	r, _ := c.rs.Next()
	v := storage.Values(r)
	c.vals, c.err = c.row(v, r)
	if c.err == nil {
		c.err = v.Err()
	}
	return c.err == nil
}

func (c *copySource) Values() ([]any, error) { return c.vals, c.err }
func (c *copySource) Err() error             { return c.err }

func subscriberRow(v *storage.RecordValues, _ storage.Record) ([]any, error) {
	seq, rec := v.Seq(0), v.Bytes(1)
	var sub herald.Subscriber
	if err := storage.DecodeSubscriber(seq, rec, &sub); err != nil {
		return nil, err
	}
	return []any{int64(seq), string(sub.Platform), sub.Account, sub.ID, sub.Name, int64(1), rec}, nil
}

func broadcastRow(v *storage.RecordValues, _ storage.Record) ([]any, error) {
	id, data := v.Str(0), v.Bytes(1)
	var b herald.Broadcast
	if err := json.Unmarshal(data, &b); err != nil {
		return nil, fmt.Errorf("broadcast %s: %w", id, err)
	}
	var nameKey any
	if k := storage.BroadcastNameKey(&b); k != "" {
		nameKey = k
	}
	return []any{id, string(b.Status), b.CreatedAt, nameKey, data}, nil
}

func (im *pgImport) counter(v *storage.RecordValues) error {
	if name := v.Str(0); name != storage.CounterSubscriberSeq {
		return fmt.Errorf("unknown counter %q", name)
	}
	im.subscriberSeq = v.I64(1) // set by finish
	return nil
}

// run writes a run and its counters (runs are few: one at a time).
func (im *pgImport) run(v *storage.RecordValues) error {
	id := v.Str(0)
	r, err := decodeRun(id, v.Bytes(1))
	if err != nil {
		return err
	}
	bid, n, err := storage.ParseRunID(id)
	if err != nil {
		return err
	}
	data, err := runJSON(&r)
	if err != nil {
		return err
	}
	if _, err := im.tx.Exec(im.ctx, `INSERT INTO runs (id, broadcast_id, n, data) VALUES ($1, $2, $3, $4)`, id, bid, n, data); err != nil {
		return err
	}
	return addCountsTx(im.ctx, im.tx, id, &r)
}

// inFlight writes each run's in-flight records as one mark.
func (im *pgImport) inFlight() error {
	var run string
	var seqs []int64
	flush := func() error {
		if len(seqs) == 0 {
			return nil
		}
		_, err := im.tx.Exec(im.ctx, `INSERT INTO delivery_marks (run_id, seqs) VALUES ($1, $2)`, run, seqs)
		seqs = seqs[:0]
		return err
	}
	err := im.each(storage.KindInFlight.Name, func(v *storage.RecordValues) error {
		id, seq := v.Str(0), v.Seq(1)
		if id != run {
			if err := flush(); err != nil {
				return err
			}
			run = id
		}
		seqs = append(seqs, int64(seq))
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// finish continues the identities after the numbers copied. It runs
// last, once the whole stream is written: setval is not transactional,
// and a failed copy must leave the database as it was.
func (im *pgImport) finish() error {
	// Reports page the held, failed and skipped records from
	// delivery_reported: derived from the records copied, as AddDeliveries
	// derives it.
	if _, err := im.tx.Exec(im.ctx, `INSERT INTO delivery_reported (run_id, outcome, platform, seq)
		SELECT run_id, outcome, platform, seq FROM deliveries WHERE outcome IN ('held', 'failed', 'skipped')`); err != nil {
		return err
	}
	if im.subscriberSeq > 0 {
		if _, err := im.tx.Exec(im.ctx, `SELECT setval('subscriber_seq', $1)`, im.subscriberSeq); err != nil {
			return err
		}
	}
	for _, table := range []string{"audit", "sequence_notes"} {
		_, err := im.tx.Exec(im.ctx, `SELECT setval(pg_get_serial_sequence('`+table+`', 'n'), max(n)) FROM `+table+` HAVING max(n) IS NOT NULL`)
		if err != nil {
			return err
		}
	}
	return nil
}
