package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// CreateBroadcast stores a new broadcast, assigning ID (if empty),
// CreatedAt and UpdatedAt. A name already used by an unfinished broadcast
// is herald.ErrConflict.
func (s *Store) CreateBroadcast(b *herald.Broadcast) error {
	if err := storage.PrepareBroadcast(b); err != nil {
		return fmt.Errorf("storage: create broadcast: %w", err)
	}
	nb := *b
	err := s.write("create broadcast", func(ctx context.Context, tx pgx.Tx) error { return s.createBroadcastTx(ctx, tx, &nb) })
	if err == nil {
		*b = nb
	}
	return err
}

// createBroadcastTx is CreateBroadcast inside tx: b gets its ID and times.
func (s *Store) createBroadcastTx(ctx context.Context, tx pgx.Tx, b *herald.Broadcast) error {
	if err := storage.PrepareBroadcast(b); err != nil {
		return err
	}
	exists := func(id string) (bool, error) {
		var used bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM broadcasts WHERE id = $1)`, id).Scan(&used)
		return used, err
	}
	if b.ID == "" {
		id, err := storage.FreeBroadcastID(exists)
		if err != nil {
			return err
		}
		b.ID = id
	} else if used, err := exists(b.ID); err != nil || used {
		if err == nil {
			err = storage.BroadcastExists(b.ID)
		}
		return err
	}
	if err := checkName(ctx, tx, b); err != nil {
		return err
	}
	now := s.now().UTC()
	b.CreatedAt, b.UpdatedAt = now, now
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO broadcasts (id, status, created_at, name_key, data) VALUES ($1, $2, $3, NULLIF($4, ''), $5)`,
		b.ID, b.Status, b.CreatedAt, storage.BroadcastNameKey(b), data)
	return broadcastWriteErr(err, b)
}

// checkName refuses b's name when another unfinished broadcast holds it.
func checkName(ctx context.Context, tx pgx.Tx, b *herald.Broadcast) error {
	key := storage.BroadcastNameKey(b)
	if key == "" {
		return nil
	}
	var holder string
	err := tx.QueryRow(ctx, `SELECT id FROM broadcasts WHERE name_key = $1 AND id <> $2`, key, b.ID).Scan(&holder)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return storage.NameTaken(b.Name, holder)
}

// broadcastWriteErr turns the unique violations of a write racing another
// (same name, same ID) into the conflicts bbolt reports.
func broadcastWriteErr(err error, b *herald.Broadcast) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23505" {
		return err
	}
	if pe.ConstraintName == "broadcasts_name_key" {
		return storage.NameTaken(b.Name, "another broadcast")
	}
	return storage.BroadcastExists(b.ID)
}

// Broadcast returns one broadcast or herald.ErrNotFound.
func (s *Store) Broadcast(id string) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.read("read broadcast "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		b, err = s.broadcastTx(ctx, tx, id, false)
		return err
	})
	return b, err
}

// broadcastTx reads a broadcast, locking its row for the rest of tx when
// forUpdate, or herald.ErrNotFound.
func (s *Store) broadcastTx(ctx context.Context, tx pgx.Tx, id string, forUpdate bool) (herald.Broadcast, error) {
	q := `SELECT data FROM broadcasts WHERE id = $1`
	if forUpdate {
		q += ` FOR UPDATE`
	}
	var b herald.Broadcast
	var data []byte
	if err := tx.QueryRow(ctx, q, id).Scan(&data); errors.Is(err, pgx.ErrNoRows) {
		return b, fmt.Errorf("broadcast %s: %w", id, herald.ErrNotFound)
	} else if err != nil {
		return b, err
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return b, fmt.Errorf("broadcast %s: %w", id, err)
	}
	return b, nil
}

// UpdateBroadcast reads, changes with fn and writes one broadcast in a
// single transaction; fn's error aborts. Status changes are checked with
// herald.Transition; ID, CreatedAt and Runs stay storage's.
func (s *Store) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.write("update broadcast "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		b, err = s.updateBroadcastTx(ctx, tx, id, fn)
		return err
	})
	return b, err
}

// updateBroadcastTx is UpdateBroadcast inside tx.
func (s *Store) updateBroadcastTx(ctx context.Context, tx pgx.Tx, id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	old, err := s.broadcastTx(ctx, tx, id, true)
	if err != nil {
		return old, err
	}
	b := old
	if err := fn(&b); err != nil {
		return b, err
	}
	return b, s.putBroadcastTx(ctx, tx, &old, &b)
}

// putBroadcastTx saves a changed broadcast (its name too) inside tx, with
// the checks UpdateBroadcast makes.
func (s *Store) putBroadcastTx(ctx context.Context, tx pgx.Tx, old, b *herald.Broadcast) error {
	if err := storage.CheckBroadcastChange(old, b); err != nil {
		return err
	}
	if err := checkName(ctx, tx, b); err != nil {
		return err
	}
	b.UpdatedAt = s.now().UTC()
	return s.saveBroadcastTx(ctx, tx, b)
}

// saveBroadcastTx writes b as it is (storage's own changes: Runs).
func (s *Store) saveBroadcastTx(ctx context.Context, tx pgx.Tx, b *herald.Broadcast) error {
	data, err := json.Marshal(b)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, `UPDATE broadcasts SET status = $2, name_key = NULLIF($3, ''), data = $4 WHERE id = $1`,
		b.ID, b.Status, storage.BroadcastNameKey(b), data)
	if err != nil {
		return broadcastWriteErr(err, b)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("broadcast %s: %w", b.ID, herald.ErrNotFound)
	}
	return nil
}

// ListBroadcasts lists broadcasts newest first (by CreatedAt, then ID).
// Broadcasts are few (thousands), so this reads those of the statuses
// asked and leaves the rest of the rules to storage's.
func (s *Store) ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error) {
	var statuses []string
	for _, st := range q.Statuses {
		statuses = append(statuses, string(st))
	}
	all, err := s.allBroadcasts(statuses, func(b *herald.Broadcast) bool { return storage.BroadcastListed(q, b) })
	if err != nil {
		return nil, err
	}
	return storage.PageBroadcasts(all, q), nil
}

// FindBroadcasts finds broadcasts by ID (as people type it: "7k2q") or by
// a case-insensitive part of the name; an exact ID comes first.
func (s *Store) FindBroadcasts(text string, limit int) ([]herald.Broadcast, error) {
	f, ok := storage.NewBroadcastSearch(text)
	if !ok {
		return nil, nil
	}
	all, err := s.allBroadcasts(nil, f.Match)
	if err != nil {
		return nil, err
	}
	return f.Order(all, limit), nil
}

// allBroadcasts reads the broadcasts of statuses (nil: all) that keep
// accepts, sorted as storage sorts them.
func (s *Store) allBroadcasts(statuses []string, keep func(b *herald.Broadcast) bool) ([]herald.Broadcast, error) {
	var out []herald.Broadcast
	err := s.read("list broadcasts", func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, data FROM broadcasts WHERE $1::text[] IS NULL OR status = ANY($1)`, statuses)
		if err != nil {
			return err
		}
		out, err = scanJSONRows[herald.Broadcast](rows, "broadcast")
		out = slices.DeleteFunc(out, func(b herald.Broadcast) bool { return !keep(&b) })
		return err
	})
	storage.SortBroadcasts(out)
	return out, err
}

// DeleteBroadcastIf removes a broadcast with its runs, deliveries, taps
// and clicks when ok (nil: always) accepts it as the transaction reads it
// (locked); ok's error aborts. It returns what it deleted.
func (s *Store) DeleteBroadcastIf(id string, ok func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	var old herald.Broadcast
	err := s.write("delete broadcast "+id, func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if old, err = s.broadcastTx(ctx, tx, id, true); err != nil {
			return err
		}
		if ok != nil {
			if err := ok(&old); err != nil {
				return err
			}
		}
		return s.deleteBroadcastTx(ctx, tx, &old)
	})
	return old, err
}

// DeleteBroadcast is DeleteBroadcastIf without a condition.
func (s *Store) DeleteBroadcast(id string) error {
	_, err := s.DeleteBroadcastIf(id, nil)
	return err
}

// deleteBroadcastTx removes a broadcast with its runs and deliveries, and
// (through deleteBroadcastEngagementTx) its taps and clicks.
func (s *Store) deleteBroadcastTx(ctx context.Context, tx pgx.Tx, old *herald.Broadcast) error {
	// Runs first, locked in order, as every writer of a run's records
	// locks its run before them.
	b := &pgx.Batch{}
	b.Queue(`SELECT id FROM runs WHERE broadcast_id = $1 ORDER BY n FOR UPDATE`, old.ID)
	b.Queue(`DELETE FROM deliveries WHERE run_id IN (SELECT id FROM runs WHERE broadcast_id = $1)`, old.ID)
	b.Queue(`DELETE FROM delivery_reported WHERE run_id IN (SELECT id FROM runs WHERE broadcast_id = $1)`, old.ID)
	b.Queue(`DELETE FROM delivery_marks WHERE run_id IN (SELECT id FROM runs WHERE broadcast_id = $1)`, old.ID)
	b.Queue(`DELETE FROM run_counts WHERE run_id IN (SELECT id FROM runs WHERE broadcast_id = $1)`, old.ID)
	b.Queue(`DELETE FROM runs WHERE broadcast_id = $1`, old.ID)
	b.Queue(`DELETE FROM broadcasts WHERE id = $1`, old.ID)
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	return s.deleteBroadcastEngagementTx(ctx, tx, old.ID)
}
