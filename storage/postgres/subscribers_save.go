package postgres

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// smallWrite is the most rows written statement by statement (one round
// trip for all, pgx.Batch); more are copied (COPY), which is many times
// faster for an import but costs a few round trips of its own.
const smallWrite = 64

// writeRows writes the dirty rows: new ones inserted, the others updated.
// A key written twice in the batch is written once, as it ended up. more
// queues statements to send with a small write's (the change log).
func writeRows(ctx context.Context, tx pgx.Tx, rows []row, more func(b *pgx.Batch)) error {
	var ins, upd [][]any
	var enc []byte
	for _, r := range rows {
		if !r.dirty {
			continue
		}
		// Records are encoded back to back into enc; a full one is left to
		// the rows that point into it and a new one started.
		if cap(enc)-len(enc) < 512 {
			enc = make([]byte, 0, 64<<10)
		}
		start := len(enc)
		enc = storage.AppendSubscriber(enc, r.sub)
		rec := enc[start:len(enc):len(enc)]
		if r.stored {
			upd = append(upd, []any{int64(r.sub.Seq), r.sub.Name, r.version, rec})
		} else {
			ins = append(ins, []any{int64(r.sub.Seq), string(r.sub.Platform), r.sub.Account, r.sub.ID, r.sub.Name, r.version, rec})
		}
	}
	if len(ins)+len(upd) <= smallWrite {
		b := &pgx.Batch{}
		for _, v := range ins {
			b.Queue(`INSERT INTO subscribers (seq, platform, account, id, name, version, record) VALUES ($1, $2, $3, $4, $5, $6, $7)`, v...)
		}
		for _, v := range upd {
			b.Queue(`UPDATE subscribers SET name = $2, version = $3, record = $4 WHERE seq = $1`, v...)
		}
		more(b)
		return tx.SendBatch(ctx, b).Close()
	}
	if err := copyRows(ctx, tx, ins, upd); err != nil {
		return err
	}
	b := &pgx.Batch{}
	if more(b); b.Len() > 0 {
		return tx.SendBatch(ctx, b).Close()
	}
	return nil
}

// copyRows inserts and updates many rows by COPY.
func copyRows(ctx context.Context, tx pgx.Tx, ins, upd [][]any) error {
	if len(ins) > 0 {
		// The keys are locked and were not there: nothing to conflict with.
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"subscribers"},
			[]string{"seq", "platform", "account", "id", "name", "version", "record"}, pgx.CopyFromRows(ins))
		if err != nil {
			return err
		}
	}
	if len(upd) > 0 {
		// COPY cannot update: the new values go to a temporary table first.
		if _, err := tx.Exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS subscriber_updates
			(seq bigint, name text, version bigint, record bytea) ON COMMIT DROP`); err != nil {
			return err
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"subscriber_updates"}, []string{"seq", "name", "version", "record"}, pgx.CopyFromRows(upd))
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE subscribers s SET name = u.name, version = u.version, record = u.record
			FROM subscriber_updates u WHERE s.seq = u.seq;
			TRUNCATE subscriber_updates`)
		return err
	}
	return nil
}

// deleteRow removes seq's row.
func deleteRow(ctx context.Context, tx pgx.Tx, seq uint32) error {
	_, err := tx.Exec(ctx, `DELETE FROM subscribers WHERE seq = $1`, int64(seq))
	return err
}

// updateRow rewrites one stored row, its key too (a move).
func updateRow(ctx context.Context, tx pgx.Tx, sub *herald.Subscriber, version int64) error {
	_, err := tx.Exec(ctx, `UPDATE subscribers SET id = $2, name = $3, version = $4, record = $5 WHERE seq = $1`,
		int64(sub.Seq), sub.ID, sub.Name, version, storage.AppendSubscriber(nil, sub))
	return err
}
