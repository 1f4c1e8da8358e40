package postgres

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// Taps and clicks are counted per broadcast button (tap_counts,
// click_counts: every press and the number of people) and who pressed is
// kept once each (tap_users by subscriber key, click_users by Seq) with
// the time of the first press, as in the bbolt store.

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
	presses := make([]press[string], len(taps))
	keys := make(map[string]herald.SubscriberKey, len(taps))
	for i, t := range taps {
		who := t.Subscriber.String()
		presses[i] = press[string]{pressed[string]{button{t.BroadcastID, t.ButtonID}, who}, t.At}
		keys[who] = t.Subscriber
	}
	news, err := countTx(ctx, tx, "tap", "subscriber", "text", presses)
	if err != nil {
		return nil, err
	}
	// Only people who are subscribers have a Seq for the index.
	newKeys := make([]herald.SubscriberKey, len(news))
	for i, n := range news {
		newKeys[i] = keys[n.who]
	}
	seqs, err := s.subscriberSeqsTx(ctx, tx, newKeys)
	if err != nil {
		return nil, err
	}
	var first []response
	for i, k := range newKeys {
		if seq, ok := seqs[k]; ok {
			first = append(first, response{news[i].button, seq})
		}
	}
	if err := s.logTx(ctx, tx, nil, first); err != nil {
		return nil, err
	}
	return func() { s.indexResponses(first) }, nil
}

// pressed is a button and who pressed it: a subscriber's key ("line:U1")
// for a tap, a Seq for a click.
type pressed[W cmp.Ordered] struct {
	button
	who W
}

// press is one tap or click, and when.
type press[W cmp.Ordered] struct {
	pressed[W]
	at time.Time
}

// countTx counts presses in kind_counts (kind tap or click: every press)
// and kind_users (who, by the column whoColumn of SQL type whoType, with the
// time of their first press), and returns the people new to a button.
// Rows are locked in one order (by button, then who) whatever the batch's,
// so that two writers never wait on each other in a circle; a concurrent
// insert of the same person waits for the other transaction and then
// counts them once.
func countTx[W cmp.Ordered](ctx context.Context, tx pgx.Tx, kind, whoColumn, whoType string, presses []press[W]) ([]pressed[W], error) {
	totals := map[button]int64{}
	firsts := map[pressed[W]]time.Time{} // the batch's first press of each person on each button
	for _, p := range presses {
		totals[p.button]++
		if _, ok := firsts[p.pressed]; !ok {
			firsts[p.pressed] = p.at
		}
	}
	users := slices.SortedFunc(maps.Keys(firsts), func(a, b pressed[W]) int {
		return cmp.Or(compareButtons(a.button, b.button), cmp.Compare(a.who, b.who))
	})
	var bs, btns []string
	var whos []W
	var ats []pgtype.Timestamptz
	for _, u := range users {
		bs, btns, whos = append(bs, u.broadcast), append(btns, u.button.button), append(whos, u.who)
		ats = append(ats, firstAt(firsts[u]))
	}
	rows, err := tx.Query(ctx, `INSERT INTO `+kind+`_users (broadcast_id, button_id, `+whoColumn+`, first_at)
		SELECT * FROM unnest($1::text[], $2::text[], $3::`+whoType+`[], $4::timestamptz[])
		ON CONFLICT DO NOTHING RETURNING broadcast_id, button_id, `+whoColumn, bs, btns, whos, ats)
	if err != nil {
		return nil, err
	}
	uniques := map[button]int64{}
	var news []pressed[W]
	var n pressed[W]
	_, err = pgx.ForEachRow(rows, []any{&n.broadcast, &n.button.button, &n.who}, func() error {
		uniques[n.button]++
		news = append(news, n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	buttons := slices.SortedFunc(maps.Keys(totals), compareButtons)
	bs, btns = bs[:0], btns[:0]
	var ts, us []int64
	for _, k := range buttons {
		bs, btns = append(bs, k.broadcast), append(btns, k.button)
		ts, us = append(ts, totals[k]), append(us, uniques[k])
	}
	_, err = tx.Exec(ctx, `INSERT INTO `+kind+`_counts AS c (broadcast_id, button_id, total, uniq)
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
		ON CONFLICT (broadcast_id, button_id) DO UPDATE SET total = c.total + excluded.total, uniq = c.uniq + excluded.uniq`,
		bs, btns, ts, us)
	return news, err
}

func compareButtons(a, b button) int {
	return cmp.Or(cmp.Compare(a.broadcast, b.broadcast), cmp.Compare(a.button, b.button))
}

// indexResponses hands committed first taps and clicks to the index,
// under the subscriber part's lock so a rebuild does not miss them (see
// build).
func (s *Store) indexResponses(rs []response) {
	if len(rs) == 0 {
		return
	}
	s.subscribers.mu.Lock()
	defer s.subscribers.mu.Unlock()
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
	return s.counts("tap_counts", "read taps of "+broadcastID, broadcastID)
}

// Clicks returns a broadcast's link clicks per button, by button ID.
func (s *Store) Clicks(broadcastID string) ([]herald.TapCount, error) {
	return s.counts("click_counts", "read clicks of "+broadcastID, broadcastID)
}

// counts reads a broadcast's per-button counts from table (tap_counts or
// click_counts), in the bbolt store's order: by button ID's bytes.
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
	for _, table := range []string{"tap_counts", "tap_users", "click_counts", "click_users"} {
		b.Queue(`DELETE FROM `+table+` WHERE broadcast_id = $1`, id)
	}
	return tx.SendBatch(ctx, b).Close()
}
