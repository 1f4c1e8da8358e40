package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Taps and clicks are counted per broadcast button (taps, clicks: every
// press and the number of people) and who pressed is kept once each
// (tap_users by subscriber key, click_users by Seq) with the time of the
// first press, as in the bbolt store.

// button is one broadcast's button.
type button struct{ broadcast, button string }

// response is one subscriber's first tap or click on a broadcast button.
type response struct {
	button
	seq uint32
}

// firstAt is when a first response happened, as kept (NULL: not known).
func firstAt(at time.Time) pgtype.Timestamptz {
	unix, ok := storage.ResponseTime(at)
	return pgtype.Timestamptz{Time: time.Unix(unix, 0).UTC(), Valid: ok}
}

// RecordTaps adds taps to their broadcasts' per-button counts, in one
// transaction.
func (s *Store) RecordTaps(taps []herald.Tap) error {
	var apply func()
	err := s.write(fmt.Sprintf("record %d taps", len(taps)), func(ctx context.Context, tx pgx.Tx) (err error) {
		apply, err = s.recordTapsTx(ctx, tx, taps)
		return err
	})
	if err != nil {
		return err
	}
	apply()
	return nil
}

// recordTapsTx counts taps inside tx (people and presses, first
// responses). apply, called after commit, hands the first responses of
// existing subscribers to the audience index.
func (s *Store) recordTapsTx(ctx context.Context, tx pgx.Tx, taps []herald.Tap) (apply func(), err error) {
	if len(taps) == 0 {
		return func() {}, nil
	}
	type user struct {
		button
		who string
	}
	totals := map[button]int64{}
	firsts := map[user]herald.Tap{} // the batch's first tap of each person on each button
	for _, t := range taps {
		b := button{t.BroadcastID, t.ButtonID}
		totals[b]++
		if _, ok := firsts[user{b, t.Subscriber.String()}]; !ok {
			firsts[user{b, t.Subscriber.String()}] = t
		}
	}
	users := slices.SortedFunc(func(yield func(user) bool) {
		for u := range firsts {
			if !yield(u) {
				return
			}
		}
	}, func(a, b user) int {
		return cmp.Or(compareButtons(a.button, b.button), cmp.Compare(a.who, b.who))
	})
	var bs, btns, whos []string
	var ats []pgtype.Timestamptz
	for _, u := range users {
		bs, btns, whos = append(bs, u.broadcast), append(btns, u.button.button), append(whos, u.who)
		ats = append(ats, firstAt(firsts[u].At))
	}
	// Inserted rows are the people new to a button; a concurrent insert of
	// the same person waits for the other transaction and then counts once.
	rows, err := tx.Query(ctx, `INSERT INTO tap_users (broadcast_id, button_id, subscriber, first_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])
		ON CONFLICT DO NOTHING RETURNING broadcast_id, button_id, subscriber`, bs, btns, whos, ats)
	if err != nil {
		return nil, err
	}
	uniques := map[button]int64{}
	var newKeys []herald.SubscriberKey
	var newAt []button
	var b, btn, who string
	_, err = pgx.ForEachRow(rows, []any{&b, &btn, &who}, func() error {
		u := user{button{b, btn}, who}
		uniques[u.button]++
		newKeys, newAt = append(newKeys, firsts[u].Subscriber), append(newAt, u.button)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := addCountsTx(ctx, tx, "taps", totals, uniques); err != nil {
		return nil, err
	}
	// Only people who are subscribers have a Seq for the index.
	seqs, err := s.subscriberSeqsTx(ctx, tx, newKeys)
	if err != nil {
		return nil, err
	}
	var first []response
	for i, k := range newKeys {
		if seq, ok := seqs[k]; ok {
			first = append(first, response{newAt[i], seq})
		}
	}
	return func() { s.indexResponses(first) }, nil
}

// addCountsTx adds presses (totals) and new people (uniques) to the
// per-button counts of table (taps or clicks), locking the rows in button
// order so that two writers never wait on each other in a circle.
func addCountsTx(ctx context.Context, tx pgx.Tx, table string, totals, uniques map[button]int64) error {
	keys := slices.SortedFunc(func(yield func(button) bool) {
		for b := range totals {
			if !yield(b) {
				return
			}
		}
	}, compareButtons)
	var bs, btns []string
	var ts, us []int64
	for _, k := range keys {
		bs, btns = append(bs, k.broadcast), append(btns, k.button)
		ts, us = append(ts, totals[k]), append(us, uniques[k])
	}
	_, err := tx.Exec(ctx, `INSERT INTO `+table+` AS c (broadcast_id, button_id, total, uniq)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
		ON CONFLICT (broadcast_id, button_id) DO UPDATE SET total = c.total + excluded.total, uniq = c.uniq + excluded.uniq`,
		bs, btns, ts, us)
	return err
}

func compareButtons(a, b button) int {
	return cmp.Or(cmp.Compare(a.broadcast, b.broadcast), cmp.Compare(a.button, b.button))
}

// indexResponses hands committed first taps and clicks to the index.
func (s *Store) indexResponses(rs []response) {
	x := s.index()
	if x == nil {
		return
	}
	for _, r := range rs {
		x.AddResponse(r.broadcast, r.button.button, r.seq)
	}
}

// Taps returns a broadcast's click-through per button, by button ID.
func (s *Store) Taps(broadcastID string) ([]herald.TapCount, error) {
	return s.counts("taps", "read taps of "+broadcastID, broadcastID)
}

// Clicks returns a broadcast's link clicks per button, by button ID.
func (s *Store) Clicks(broadcastID string) ([]herald.TapCount, error) {
	return s.counts("clicks", "read clicks of "+broadcastID, broadcastID)
}

// counts reads a broadcast's per-button counts from table (taps or
// clicks), in the bbolt store's order: by button ID's bytes.
func (s *Store) counts(table, what, broadcastID string) ([]herald.TapCount, error) {
	rows, err := s.pool.Query(context.Background(), `SELECT button_id, total, uniq FROM `+table+`
		WHERE broadcast_id = $1 ORDER BY button_id COLLATE "C"`, broadcastID)
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	var out []herald.TapCount
	var c herald.TapCount
	var total, uniq int64
	_, err = pgx.ForEachRow(rows, []any{&c.ButtonID, &total, &uniq}, func() error {
		c.Taps, c.Unique = int(total), int(uniq)
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: %s: %w", what, err)
	}
	return out, nil
}

// deleteBroadcastEngagementTx removes a deleted broadcast's taps, clicks
// and responses.
func (s *Store) deleteBroadcastEngagementTx(ctx context.Context, tx pgx.Tx, id string) error {
	b := &pgx.Batch{}
	for _, table := range []string{"taps", "tap_users", "clicks", "click_users"} {
		b.Queue(`DELETE FROM `+table+` WHERE broadcast_id = $1`, id)
	}
	return tx.SendBatch(ctx, b).Close()
}
