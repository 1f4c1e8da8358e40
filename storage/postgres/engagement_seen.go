package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// seenSweepEvery is how often, at most, expired event IDs are deleted:
// an expired ID is already treated as unseen (see seenTx), so the sweep
// only keeps the table small and need not run with every insert.
const seenSweepEvery = time.Minute

// engagementState is what the engagement part keeps in memory.
type engagementState struct {
	lastSweep atomic.Int64 // Unix nanoseconds of the store's clock
}

// RecordInbound applies one group commit of end users' events in one
// transaction, as the bbolt store's does: event i has the platform's ID
// ids[i] ("" for none), changes the subscriber keys[i] through update(i,
// …) (a zero key: none) and counts the tap taps[i] (a zero Tap: none). An
// event whose ID was recorded within storage.SeenWindow, or earlier in
// the same batch, is a repeat: nothing of it is applied.
func (s *Store) RecordInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap,
	update func(i int, sub *herald.Subscriber, created bool) error) (repeat []bool, err error) {
	if err := storage.CheckInbound(ids, keys, taps); err != nil {
		return nil, err
	}
	var applySubs, applyTaps func()
	err = s.write(fmt.Sprintf("record %d inbound events", len(ids)), func(ctx context.Context, tx pgx.Tx) error {
		var err error
		if repeat, err = s.seenTx(ctx, tx, ids); err != nil {
			return err
		}
		var subKeys []herald.SubscriberKey
		var subEvent []int
		var counted []herald.Tap
		for i := range ids {
			if repeat[i] {
				continue
			}
			if keys[i] != (herald.SubscriberKey{}) {
				subKeys, subEvent = append(subKeys, keys[i]), append(subEvent, i)
			}
			if taps[i].BroadcastID != "" {
				counted = append(counted, taps[i])
			}
		}
		saved := make([]savedSub, len(subKeys))
		applySubs, err = s.updateSubscribersTx(ctx, tx, subKeys, func(k int, sub *herald.Subscriber, created bool) error {
			if err := update(subEvent[k], sub, created); err != nil {
				return err
			}
			saved[k] = savedSub{*sub, created, true} // as update left it: the caller's sub may be reused
			return nil
		})
		if err != nil {
			return err
		}
		if err := s.noteInboundTx(ctx, tx, subKeys, saved, counted); err != nil {
			return err
		}
		applyTaps, err = s.recordTapsTx(ctx, tx, counted)
		return err
	})
	if err != nil {
		return nil, err
	}
	applySubs()
	applyTaps()
	s.sweepSeen()
	return repeat, nil
}

// savedSub is a subscriber as a batch's update left it, and whether the
// batch created them.
type savedSub struct {
	sub     herald.Subscriber
	created bool
	ok      bool // update saw them
}

// noteInboundTx writes the sequence notes of a batch (storage.InboundNotes:
// follows of the people it created, counted taps of people it saved); tag
// and leave notes came with updateSubscribersTx, before these, as in the
// bbolt store.
func (s *Store) noteInboundTx(ctx context.Context, tx pgx.Tx, keys []herald.SubscriberKey, saved []savedSub, counted []herald.Tap) error {
	var olds, news []*herald.Subscriber
	for k, key := range keys {
		if !saved[k].ok {
			continue
		}
		sub := &saved[k].sub
		sub.Platform, sub.Account, sub.ID = key.Platform, key.Account, key.ID
		var old *herald.Subscriber
		if !saved[k].created {
			old = sub // only whether they were there counts
		}
		olds, news = append(olds, old), append(news, sub)
	}
	// Which notes a batch makes does not depend on the Seqs: most batches
	// (messages of people known) make none and need not look them up.
	if len(storage.InboundNotes(olds, news, counted)) == 0 {
		return nil
	}
	// A new subscriber gets its Seq as it is stored, after update saw it.
	seqs, err := s.subscriberSeqsTx(ctx, tx, keys)
	if err != nil {
		return err
	}
	for _, sub := range news {
		sub.Seq = seqs[sub.Key()]
	}
	return s.noteTriggers(ctx, tx, storage.InboundNotes(olds, news, counted))
}

// seenTx records the event IDs of a batch and says which are repeats: an
// ID recorded within storage.SeenWindow (an older row is taken over as
// new) or earlier in the batch. A concurrent batch with the same ID waits
// on its row: the ID counts for whichever commits first.
func (s *Store) seenTx(ctx context.Context, tx pgx.Tx, ids []string) ([]bool, error) {
	repeat := make([]bool, len(ids))
	first := map[string]int{} // stored key → the event that brought it first
	var keys [][]byte
	for i, id := range ids {
		if id == "" {
			continue
		}
		k := storage.AppendSeenKey(nil, id)
		if _, dup := first[string(k)]; dup {
			repeat[i] = true
			continue
		}
		first[string(k)] = i
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return repeat, nil
	}
	// Rows are locked in key order, so two batches never wait on each other
	// in a circle.
	slices.SortFunc(keys, bytes.Compare)
	now := s.now()
	rows, err := tx.Query(ctx, `INSERT INTO seen_events (id, seen_at) SELECT unnest($1::bytea[]), $2
		ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at WHERE seen_events.seen_at <= $3
		RETURNING id`, keys, now, now.Add(-storage.SeenWindow))
	if err != nil {
		return nil, err
	}
	fresh, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, err
	}
	for _, i := range first {
		repeat[i] = true
	}
	for _, k := range fresh {
		repeat[first[string(k)]] = false
	}
	return repeat, nil
}

// sweepSeen deletes the expired event IDs, at most every seenSweepEvery.
// A failure is only logged: the next sweep deletes them.
func (s *Store) sweepSeen() {
	now := s.now()
	last := s.engagement.lastSweep.Load()
	if now.UnixNano()-last < int64(seenSweepEvery) || !s.engagement.lastSweep.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	_, err := s.pool.Exec(context.Background(), `DELETE FROM seen_events WHERE seen_at <= $1`, now.Add(-storage.SeenWindow))
	if err != nil {
		s.logger.Warn("storage: forget expired event IDs", "error", err)
	}
}
