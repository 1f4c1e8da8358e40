package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// CreateRun stores a new run of a broadcast, assigning ID "<bid>/<n>" and
// N and incrementing the broadcast's Runs in the same transaction.
func (s *Store) CreateRun(r *herald.Run) error { return s.StartRun(r, nil) }

// StartRun is CreateRun with start deciding, in the same transaction,
// whether the broadcast may have the run (and changing its status): a run
// then exists exactly when the broadcast says it is sending. start's error
// aborts both.
func (s *Store) StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error {
	nr := *r
	err := s.write("create run of "+r.BroadcastID, func(ctx context.Context, tx pgx.Tx) error {
		return s.startRunTx(ctx, tx, &nr, start)
	})
	if err == nil {
		*r = nr
	}
	return err
}

// startRunTx is StartRun inside tx. The broadcast's row is locked first,
// then the run's: the order every writer of both keeps.
func (s *Store) startRunTx(ctx context.Context, tx pgx.Tx, r *herald.Run, start func(b *herald.Broadcast) error) error {
	var b herald.Broadcast
	var err error
	if start != nil {
		b, err = s.updateBroadcastTx(ctx, tx, r.BroadcastID, start)
	} else {
		b, err = s.broadcastTx(ctx, tx, r.BroadcastID, true)
	}
	if err != nil {
		return err
	}
	storage.NumberRun(r, &b, s.now())
	if err := s.saveBroadcastTx(ctx, tx, &b); err != nil {
		return err
	}
	data, err := runJSON(r)
	if err != nil {
		return err
	}
	if _, err = tx.Exec(ctx, `INSERT INTO runs (id, broadcast_id, n, data) VALUES ($1, $2, $3, $4)`, r.ID, b.ID, r.N, data); err != nil {
		return err
	}
	return addCountsTx(ctx, tx, r.ID, r) // counters the caller gave it
}

// runJSON is r as the runs table keeps it: without its counters.
func runJSON(r *herald.Run) ([]byte, error) {
	c := *r
	c.Tally, c.AccountTally = nil, nil
	return json.Marshal(&c)
}

// UpdateBroadcastRun changes a broadcast and its last run (nil when it
// has none) in one transaction. The rules of UpdateBroadcast and UpdateRun
// apply; fn's error aborts.
func (s *Store) UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.write("update broadcast and run "+id, func(ctx context.Context, tx pgx.Tx) error {
		old, err := s.broadcastTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		var data []byte
		var last, run *herald.Run
		err = tx.QueryRow(ctx, `SELECT data FROM runs WHERE broadcast_id = $1 ORDER BY n DESC LIMIT 1 FOR NO KEY UPDATE`, id).Scan(&data)
		switch {
		case err == nil:
			last = &herald.Run{}
			if err := json.Unmarshal(data, last); err != nil {
				return fmt.Errorf("last run of %s: %w", id, err)
			}
			if err := loadCounts(ctx, tx, last); err != nil {
				return err
			}
			c := storage.CloneRun(*last)
			run = &c
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		b = old
		if err := fn(&b, run); err != nil {
			return err
		}
		if err := s.putBroadcastTx(ctx, tx, &old, &b); err != nil || run == nil {
			return err
		}
		storage.KeepRunFields(last, run)
		return s.putRunTx(ctx, tx, run)
	})
	return b, err
}

// Run returns one run or herald.ErrNotFound.
func (s *Store) Run(id string) (herald.Run, error) {
	var r herald.Run
	if _, _, err := storage.ParseRunID(id); err != nil {
		return r, fmt.Errorf("storage: read run: %w", err)
	}
	err := s.read("read run "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		r, err = s.runTx(ctx, tx, id, false)
		return err
	})
	return r, err
}

// runTx reads a run, locking its row when forUpdate, or herald.ErrNotFound.
// Holding a run's row lock is what lets a transaction change its records
// and its counters.
func (s *Store) runTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (herald.Run, error) {
	q := `SELECT data FROM runs WHERE id = $1`
	if forUpdate {
		// Not FOR UPDATE: group commits hold the run FOR KEY SHARE, and
		// a change of the run's JSON need not wait for them.
		q += ` FOR NO KEY UPDATE`
	}
	var data []byte
	if err := tx.QueryRow(ctx, q, id).Scan(&data); errors.Is(err, pgx.ErrNoRows) {
		return herald.Run{}, storage.RunNotFound(id)
	} else if err != nil {
		return herald.Run{}, err
	}
	r, err := decodeRun(id, data)
	if err != nil {
		return r, err
	}
	return r, loadCounts(ctx, tx, &r)
}

func decodeRun(id string, data []byte) (herald.Run, error) {
	var r herald.Run
	if err := json.Unmarshal(data, &r); err != nil {
		return r, fmt.Errorf("run %s: %w", id, err)
	}
	return r, nil
}

// putRunTx saves a changed run inside tx (its counters are storage's:
// they follow the records).
func (s *Store) putRunTx(ctx context.Context, tx pgx.Tx, r *herald.Run) error {
	data, err := runJSON(r)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE runs SET data = $2 WHERE id = $1`, r.ID, data)
	if err == nil && tag.RowsAffected() == 0 {
		err = storage.RunNotFound(r.ID)
	}
	return err
}

// UpdateRun reads, changes with fn and writes one run atomically. ID,
// BroadcastID, N, Total and Tally stay storage's (they follow the records).
func (s *Store) UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error) {
	var r herald.Run
	if _, _, err := storage.ParseRunID(id); err != nil {
		return r, fmt.Errorf("storage: update run: %w", err)
	}
	err := s.write("update run "+id, func(ctx context.Context, tx pgx.Tx) error {
		old, err := s.runTx(ctx, tx, id, true)
		if err != nil {
			return err
		}
		r = storage.CloneRun(old)
		if err := fn(&r); err != nil {
			return err
		}
		storage.KeepRunFields(&old, &r)
		return s.putRunTx(ctx, tx, &r)
	})
	return r, err
}

// RunsOf lists a broadcast's runs, oldest first.
func (s *Store) RunsOf(broadcastID string) ([]herald.Run, error) {
	var out []herald.Run
	err := s.read("list runs of "+broadcastID, func(ctx context.Context, tx pgx.Tx) error {
		out = nil
		rows, err := tx.Query(ctx, `SELECT id, data FROM runs WHERE broadcast_id = $1 ORDER BY n`, broadcastID)
		if err != nil {
			return err
		}
		if out, err = scanJSONRows[herald.Run](rows, "run"); err != nil {
			return err
		}
		runs := make([]*herald.Run, len(out))
		for i := range out {
			runs[i] = &out[i]
		}
		return loadCounts(ctx, tx, runs...)
	})
	return out, err
}

// deleteRunTx removes one run and its deliveries, the run's row locked
// first as every writer of its records does.
func (s *Store) deleteRunTx(ctx context.Context, tx pgx.Tx, id string) error {
	b := &pgx.Batch{}
	b.Queue(`SELECT 1 FROM runs WHERE id = $1 FOR UPDATE`, id)
	b.Queue(`DELETE FROM deliveries WHERE run_id = $1`, id)
	b.Queue(`DELETE FROM delivery_reported WHERE run_id = $1`, id)
	b.Queue(`DELETE FROM delivery_marks WHERE run_id = $1`, id)
	b.Queue(`DELETE FROM run_counts WHERE run_id = $1`, id)
	b.Queue(`DELETE FROM runs WHERE id = $1`, id)
	return tx.SendBatch(ctx, b).Close()
}

// RunTimeline returns a run's sent and failed counts per minute and
// platform, oldest first. The records are the timeline: counted when
// asked (a report's chart), so the hot path writes nothing more for it
// and a repeated or changed outcome is never counted twice.
func (s *Store) RunTimeline(runID string) ([]herald.MinuteCount, error) {
	if _, _, err := storage.ParseRunID(runID); err != nil {
		return nil, fmt.Errorf("storage: read timeline: %w", err)
	}
	var out []herald.MinuteCount
	err := s.read("read timeline of "+runID, func(ctx context.Context, tx pgx.Tx) error {
		out = nil
		if _, err := s.runTx(ctx, tx, runID, false); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			SELECT at_ns / 60000000000 AS minute, platform,
				count(*) FILTER (WHERE outcome = 'sent'), count(*) FILTER (WHERE outcome = 'failed')
			FROM deliveries
			WHERE run_id = $1 AND at_ns > 0 AND outcome IN ('sent', 'failed')
			GROUP BY 1, 2 ORDER BY minute, platform COLLATE "C"`, runID)
		if err != nil {
			return err
		}
		var minute int64
		var platform string
		var sent, failed int
		_, err = pgx.ForEachRow(rows, []any{&minute, &platform, &sent, &failed}, func() error {
			out = append(out, herald.MinuteCount{Minute: time.Unix(minute*60, 0).UTC(),
				Platform: herald.Platform(platform), Sent: sent, Failed: failed})
			return nil
		})
		return err
	})
	return out, err
}
