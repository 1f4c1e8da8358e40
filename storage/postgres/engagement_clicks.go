package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// ClickSecret returns the key that signs tracked links, generating it on
// the first call. Two first calls at once both insert; the unique name
// keeps one, and both read it back.
func (s *Store) ClickSecret() ([]byte, error) {
	ctx := context.Background()
	fresh, err := storage.NewClickSecret()
	if err != nil {
		return nil, fmt.Errorf("storage: read click secret: %w", err)
	}
	// A stored key of the wrong size (never written by herald) is replaced,
	// as the bbolt store does.
	_, err = s.pool.Exec(ctx, `INSERT INTO engagement_meta (name, value) VALUES ('click_secret', $1)
		ON CONFLICT (name) DO UPDATE SET value = excluded.value WHERE octet_length(engagement_meta.value) <> $2`,
		fresh, storage.ClickSecretSize)
	if err != nil {
		return nil, fmt.Errorf("storage: read click secret: %w", err)
	}
	var key []byte
	if err := s.pool.QueryRow(ctx, `SELECT value FROM engagement_meta WHERE name = 'click_secret'`).Scan(&key); err != nil {
		return nil, fmt.Errorf("storage: read click secret: %w", err)
	}
	return key, nil
}

// RecordClicks adds link clicks to their broadcasts' per-button counts, in
// one transaction.
func (s *Store) RecordClicks(clicks []herald.Click) error {
	var first []response
	err := s.write(fmt.Sprintf("record %d clicks", len(clicks)), func(ctx context.Context, tx pgx.Tx) (err error) {
		if first, err = recordClicksTx(ctx, tx, clicks); err != nil {
			return err
		}
		return s.logTx(ctx, tx, nil, first)
	})
	if err != nil {
		return err
	}
	s.indexResponses(first)
	return nil
}

// recordClicksTx counts clicks inside tx and returns the first clicks of
// a person on a button.
func recordClicksTx(ctx context.Context, tx pgx.Tx, clicks []herald.Click) ([]response, error) {
	if len(clicks) == 0 {
		return nil, nil
	}
	presses := make([]press[int64], len(clicks))
	for i, c := range clicks {
		presses[i] = press[int64]{pressed[int64]{button{c.BroadcastID, c.ButtonID}, int64(c.Seq)}, c.At}
	}
	news, err := countTx(ctx, tx, "click", "seq", "bigint", presses)
	if err != nil {
		return nil, err
	}
	first := make([]response, len(news))
	for i, n := range news {
		first[i] = response{n.button, uint32(n.who)}
	}
	return first, nil
}

// Clickers returns the subscriber numbers (Seq) who clicked a link of the
// broadcast: of button buttonID only, or of any when it is empty; by
// button, then Seq.
func (s *Store) Clickers(broadcastID, buttonID string) ([]uint32, error) {
	rows, err := s.pool.Query(context.Background(), `SELECT seq FROM click_users
		WHERE broadcast_id = $1 AND ($2 = '' OR button_id = $2) ORDER BY button_id COLLATE "C", seq`, broadcastID, buttonID)
	if err != nil {
		return nil, fmt.Errorf("storage: read clickers of %s: %w", broadcastID, err)
	}
	var out []uint32
	var seq int64
	if _, err := pgx.ForEachRow(rows, []any{&seq}, func() error { out = append(out, uint32(seq)); return nil }); err != nil {
		return nil, fmt.Errorf("storage: read clickers of %s: %w", broadcastID, err)
	}
	return out, nil
}

// ButtonReach returns, per button ID of a broadcast, how many different
// subscribers tapped it or clicked it on each platform account. A clicker
// since deleted has no account to count on.
func (s *Store) ButtonReach(broadcastID string) (map[string]map[herald.Account]int, error) {
	out := storage.Reach{}
	add := out.Add
	err := s.read("read button reach of "+broadcastID, func(ctx context.Context, tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT button_id, subscriber FROM tap_users WHERE broadcast_id = $1`, broadcastID)
		if err != nil {
			return err
		}
		var btn, who string
		_, err = pgx.ForEachRow(rows, []any{&btn, &who}, func() error {
			if key, err := herald.ParseSubscriberKey(who); err == nil {
				add(btn, key.AccountOf())
			}
			return nil
		})
		if err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT button_id, seq FROM click_users WHERE broadcast_id = $1`, broadcastID)
		if err != nil {
			return err
		}
		clicked, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct {
			Button string
			Seq    int64
		}])
		if err != nil {
			return err
		}
		// The clickers a chunk at a time: one query each, and no more of
		// them in memory at once.
		for chunk := range slices.Chunk(clicked, subscriberChunk) {
			seqs := make([]uint32, len(chunk))
			for i, c := range chunk {
				seqs[i] = uint32(c.Seq)
			}
			subs, err := s.subscribersBySeqTx(ctx, tx, seqs)
			if err != nil {
				return err
			}
			for _, c := range chunk {
				if sub := subs[uint32(c.Seq)]; sub != nil { // a clicker since deleted is left out
					add(c.Button, sub.AccountOf())
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
