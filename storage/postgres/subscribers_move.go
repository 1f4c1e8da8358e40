package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// DeleteSubscriber erases a subscriber (a person's request for erasure).
// Its Seq is never given to anyone else.
func (s *Store) DeleteSubscriber(key herald.SubscriberKey) error {
	var c change
	err := s.write("delete subscriber", func(ctx context.Context, tx pgx.Tx) error {
		rows, _, err := readRows(ctx, tx, []herald.SubscriberKey{key})
		if err != nil {
			return err
		}
		r := rows[0]
		if r.sub == nil {
			return fmt.Errorf("subscriber %s: %w", key, herald.ErrNotFound)
		}
		c = change{seq: r.sub.Seq, from: uint32(r.version), to: uint32(r.version + 1), old: r.sub}
		if err := deleteRow(ctx, tx, r.sub.Seq); err != nil {
			return err
		}
		return s.logTx(ctx, tx, []change{c}, nil)
	})
	if err != nil {
		return err
	}
	s.apply([]change{c})
	return nil
}

// MoveSubscriber records that the chat Herald knew as from now lives at to
// (a Telegram group that became a supergroup): see storage.Store's
// MoveSubscriber for the whole contract. The record is re-keyed in place
// (keeping its Seq) when to is new, or merged into to's record when to is
// a subscriber already; either way the move is remembered, so
// Subscriber(from) finds the record afterwards.
func (s *Store) MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error) {
	if err := storage.CheckMove(from, to); err != nil {
		return herald.Subscriber{}, err
	}
	var (
		out     herald.Subscriber
		changes []change
	)
	err := s.write("move subscriber "+from.String()+" to "+to.String(), func(ctx context.Context, tx pgx.Tx) error {
		changes = changes[:0]
		rows, _, err := readRows(ctx, tx, []herald.SubscriberKey{from, to})
		if err != nil {
			return err
		}
		old, cur := rows[0], rows[1]
		if old.sub == nil {
			var movedTo string
			err := tx.QueryRow(ctx, `SELECT to_id FROM subscriber_moves WHERE platform = $1 AND account = $2 AND from_id = $3`,
				string(from.Platform), from.Account, from.ID).Scan(&movedTo)
			if err != nil && !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			if cur.sub != nil && err == nil && movedTo == to.ID {
				out = *cur.sub // moved before
				return nil
			}
			return fmt.Errorf("subscriber %s: %w", from, herald.ErrNotFound)
		}
		moved, err := storage.MovedSubscriber(old.sub, cur.sub, to, &s.subscribers.validator)
		if err != nil {
			return err
		}
		if cur.sub == nil {
			changes = append(changes, change{seq: moved.Seq, from: uint32(old.version), to: uint32(old.version + 1), old: old.sub, new: &moved})
			err = updateRow(ctx, tx, &moved, old.version+1)
		} else {
			changes = append(changes,
				change{seq: old.sub.Seq, from: uint32(old.version), to: uint32(old.version + 1), old: old.sub},
				change{seq: moved.Seq, from: uint32(cur.version), to: uint32(cur.version + 1), old: cur.sub, new: &moved})
			if err = deleteRow(ctx, tx, old.sub.Seq); err == nil {
				err = updateRow(ctx, tx, &moved, cur.version+1)
			}
		}
		if err == nil {
			err = s.logTx(ctx, tx, changes, nil)
		}
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO subscriber_moves (platform, account, from_id, to_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (platform, account, from_id) DO UPDATE SET to_id = excluded.to_id`,
			string(from.Platform), from.Account, from.ID, to.ID)
		out = moved
		return err
	})
	if err != nil {
		return herald.Subscriber{}, err
	}
	s.apply(changes)
	return out, nil
}
