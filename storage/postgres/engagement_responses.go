package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// eachResponseTx calls fn for every stored response (a tap or a click by
// a subscriber who still exists), for the index's rebuild.
func (s *Store) eachResponseTx(ctx context.Context, tx pgx.Tx, fn func(broadcastID, buttonID string, seq uint32)) error {
	return s.responsesTx(ctx, tx, "", func(r response) { fn(r.broadcast, r.button.button, r.seq) })
}

// responsesTx calls fn for every tap or click on a button of broadcast
// broadcastID (every broadcast when it is ""). A tap by a subscriber since
// deleted (no Seq any more) is left out; a tap names its subscriber by
// key, which names the subscriber holding it now, as in the bbolt store.
func (s *Store) responsesTx(ctx context.Context, tx pgx.Tx, broadcastID string, fn func(response)) error {
	// The filter is left out for all, not written "$1 = '' OR …": a
	// generic plan of that could not use the primary key for one.
	where, args := "", []any{}
	if broadcastID != "" {
		where, args = " WHERE broadcast_id = $1", []any{broadcastID}
	}
	rows, err := tx.Query(ctx, `SELECT broadcast_id, button_id, subscriber FROM tap_users`+where, args...)
	if err != nil {
		return err
	}
	type tap struct {
		button
		key herald.SubscriberKey
	}
	var taps []tap
	var keys []herald.SubscriberKey
	seen := map[herald.SubscriberKey]bool{}
	var b, btn, who string
	_, err = pgx.ForEachRow(rows, []any{&b, &btn, &who}, func() error {
		key, err := herald.ParseSubscriberKey(who)
		if err != nil {
			return nil // not a subscriber's key: nobody the index knows
		}
		taps = append(taps, tap{button{b, btn}, key})
		if !seen[key] {
			seen[key] = true
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return err
	}
	seqs, err := s.subscriberSeqsTx(ctx, tx, keys)
	if err != nil {
		return err
	}
	for _, t := range taps {
		if seq, ok := seqs[t.key]; ok {
			fn(response{t.button, seq})
		}
	}
	rows, err = tx.Query(ctx, `SELECT broadcast_id, button_id, seq FROM click_users`+where, args...)
	if err != nil {
		return err
	}
	var seq int64
	_, err = pgx.ForEachRow(rows, []any{&b, &btn, &seq}, func() error {
		fn(response{button{b, btn}, uint32(seq)})
		return nil
	})
	return err
}

// Responders returns the subscriber numbers (Seq) who tapped or clicked a
// button of a broadcast (any of its buttons when buttonID is ""), read from
// the database rather than the index: the reference the index's retarget
// counts are checked against.
func (s *Store) Responders(broadcastID, buttonID string) (map[uint32]bool, error) {
	out := map[uint32]bool{}
	err := s.read("read responders of "+broadcastID, func(ctx context.Context, tx pgx.Tx) error {
		return s.responsesTx(ctx, tx, broadcastID, func(r response) {
			if buttonID == "" || r.button.button == buttonID {
				out[r.seq] = true
			}
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Responded answers retarget terms from the in-memory index, for matching
// one subscriber at a time (herald.Audience.MatchesWith).
func (s *Store) Responded() herald.RespondedFunc {
	return func(sub *herald.Subscriber, broadcastID, buttonID string) bool {
		x := s.index()
		return x != nil && x.Responded(broadcastID, buttonID, sub.Seq)
	}
}

// ResponseTimeline counts, in n bins of width bin from start, the people
// whose first tap of an action button of the broadcast, and whose first
// click of one of its tracked links, fell in each bin
// (storage.BinFirstResponses).
func (s *Store) ResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error) {
	out, err := storage.NewResponseTimeline(broadcastID, start, bin, n)
	if err != nil {
		return out, err
	}
	err = s.read("read responses over time of "+broadcastID, func(ctx context.Context, tx pgx.Tx) error {
		for _, q := range []struct {
			sql  string
			bins []int
		}{
			{`SELECT min(first_at) FROM tap_users WHERE broadcast_id = $1 AND first_at IS NOT NULL GROUP BY subscriber`, out.Taps},
			{`SELECT min(first_at) FROM click_users WHERE broadcast_id = $1 AND first_at IS NOT NULL GROUP BY seq`, out.Clicks},
		} {
			rows, err := tx.Query(ctx, q.sql, broadcastID)
			if err != nil {
				return err
			}
			var firsts []int64
			var at time.Time
			if _, err := pgx.ForEachRow(rows, []any{&at}, func() error { firsts = append(firsts, at.Unix()); return nil }); err != nil {
				return err
			}
			storage.BinFirstResponses(q.bins, start, bin, slices.Values(firsts))
		}
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, nil
}
