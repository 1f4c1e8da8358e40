package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// exportQueries select each kind of the engine-neutral stream (see
// storage.Kinds), its columns in the kind's order, in an order an
// importer writes fast (bbolt: keys ascending). Integers are bigint and
// documents text, whatever the table keeps.
var exportQueries = map[string]string{
	storage.KindCounters.Name:       `SELECT '` + storage.CounterSubscriberSeq + `', last_value FROM subscriber_seq WHERE is_called`,
	storage.KindSubscribers.Name:    `SELECT seq, record FROM subscribers ORDER BY seq`,
	storage.KindSubscriberMove.Name: `SELECT platform, account, from_id, to_id FROM subscriber_moves ORDER BY 1, 2, 3`,
	storage.KindBroadcasts.Name:     `SELECT id, data::text FROM broadcasts ORDER BY id`,
	// runs: see exportRuns.
	storage.KindDeliveries.Name: `SELECT run_id, seq, platform, account, recipient, outcome, reason, message_id,
		attempts::bigint, at_ns, not_before_ns, parts_done::bigint FROM deliveries ORDER BY run_id, seq`,
	// A record is in flight while it is pending and a mark newer than
	// its last outcome names it (as InFlight reads them).
	storage.KindInFlight.Name: `SELECT d.run_id, d.seq FROM deliveries d
		JOIN (SELECT m.run_id, k.seq, max(m.id) AS mark FROM delivery_marks m, unnest(m.seqs) AS k(seq)
			GROUP BY 1, 2) k ON k.run_id = d.run_id AND k.seq = d.seq
		WHERE d.outcome = 'pending' AND k.mark > d.unmarked ORDER BY 1, 2`,
	storage.KindSeenEvents.Name:    `SELECT id, seen_at FROM seen_events ORDER BY id`,
	storage.KindTapCounts.Name:     `SELECT broadcast_id, button_id, total, uniq FROM tap_counts ORDER BY 1, 2`,
	storage.KindTapUsers.Name:      `SELECT broadcast_id, button_id, subscriber, first_at FROM tap_users ORDER BY 1, 2, 3`,
	storage.KindClickCounts.Name:   `SELECT broadcast_id, button_id, total, uniq FROM click_counts ORDER BY 1, 2`,
	storage.KindClickUsers.Name:    `SELECT broadcast_id, button_id, seq, first_at FROM click_users ORDER BY 1, 2, 3`,
	storage.KindSecrets.Name:       `SELECT name, value FROM engagement_meta ORDER BY name`,
	storage.KindSessions.Name:      `SELECT key, data FROM sessions ORDER BY key`,
	storage.KindAdmins.Name:        `SELECT key, profile::text FROM admins ORDER BY key`,
	storage.KindAudit.Name:         `SELECT n, target, entry::text FROM audit ORDER BY n`,
	storage.KindChatRecords.Name:   `SELECT kind, key, data FROM chat_records ORDER BY 1, 2`,
	storage.KindMedia.Name:         `SELECT id, content_type, data FROM media ORDER BY id`,
	storage.KindSequences.Name:     `SELECT id, created_at, body::text FROM sequences ORDER BY id`,
	storage.KindEnrollments.Name:   `SELECT sequence, seq, step::bigint, run::bigint, due FROM enrollments ORDER BY 1, 2`,
	storage.KindSequenceRuns.Name:  `SELECT run_id, sequence, step::bigint FROM sequence_runs ORDER BY run_id`,
	storage.KindAPIEvents.Name:     `SELECT id, taken_at FROM api_events ORDER BY id`,
	storage.KindSequenceNotes.Name: `SELECT n, seq, kind, detail FROM sequence_notes ORDER BY n`,
}

// Export streams every record of the database (see storage.Exporter)
// from one read-only REPEATABLE READ transaction: one snapshot, however
// long the copy takes, and nothing written.
func (s *Store) Export(ctx context.Context, fn func(r storage.Record) error) error {
	opts := pgx.TxOptions{AccessMode: pgx.ReadOnly, IsoLevel: pgx.RepeatableRead}
	err := pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error {
		for _, k := range storage.Kinds() {
			if k.Name == storage.KindRuns.Name {
				if err := exportRuns(ctx, tx, fn); err != nil {
					return fmt.Errorf("export runs: %w", err)
				}
				continue
			}
			if err := exportKind(ctx, tx, k, fn); err != nil {
				return fmt.Errorf("export %s: %w", k.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("storage: export %s: %w", s.where, err)
	}
	return nil
}

func exportKind(ctx context.Context, tx pgx.Tx, k storage.Kind, fn func(r storage.Record) error) error {
	rows, err := tx.Query(ctx, exportQueries[k.Name])
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		if err := fn(storage.Record{Kind: k.Name, Values: vals}); err != nil {
			return err
		}
	}
	return rows.Err()
}

// exportRuns streams the runs with their counters (run_counts) in their
// JSON, as the bbolt store keeps them. Runs are few: read whole.
func exportRuns(ctx context.Context, tx pgx.Tx, fn func(r storage.Record) error) error {
	rows, err := tx.Query(ctx, `SELECT id, data FROM runs ORDER BY id`)
	if err != nil {
		return err
	}
	var runs []*herald.Run
	var id string
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&id, &data}, func() error {
		r, err := decodeRun(id, data)
		runs = append(runs, &r)
		return err
	})
	if err != nil {
		return err
	}
	if err := loadCounts(ctx, tx, runs...); err != nil {
		return err
	}
	for _, r := range runs {
		data, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if err := fn(storage.Record{Kind: storage.KindRuns.Name, Values: []any{r.ID, data}}); err != nil {
			return err
		}
	}
	return nil
}

// CheckNoInstance refuses a copy from a database a cluster of herald
// instances still uses: the copy would miss what they write meanwhile.
// A live lease (cluster mode) says an instance runs; a single instance
// holds the instance lock, which Open already refused.
func (s *Store) CheckNoInstance(ctx context.Context) error {
	ls, err := s.Leases(ctx) // Open migrated: the table is there
	if err != nil {
		return fmt.Errorf("storage: read leases of %s: %w", s.where, err)
	}
	var held []string
	for _, l := range ls {
		if l.Left > 0 {
			held = append(held, l.Name+" ("+l.Holder+")")
		}
	}
	if len(held) > 0 {
		return fmt.Errorf("storage: herald instances are running with %s (they hold %s): stop every instance, wait for their leases to expire, and run the migration again (%w)",
			s.where, strings.Join(held, ", "), ErrLocked)
	}
	return nil
}
