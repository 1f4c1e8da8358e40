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
		applySubs, err = s.updateSubscribersTx(ctx, tx, subKeys, func(k int, sub *herald.Subscriber, created bool) error {
			return update(subEvent[k], sub, created)
		})
		if err != nil {
			return err
		}
		if err := s.noteTapsTx(ctx, tx, subKeys, counted); err != nil {
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

// noteTapsTx writes the sequence notes of the counted taps by subscribers
// the batch saved (storage.TapTriggers); their follow and tag notes came
// with updateSubscribersTx.
func (s *Store) noteTapsTx(ctx context.Context, tx pgx.Tx, saved []herald.SubscriberKey, counted []herald.Tap) error {
	if len(saved) == 0 || len(counted) == 0 {
		return nil
	}
	tapped := map[herald.SubscriberKey]bool{}
	for _, t := range counted {
		tapped[t.Subscriber] = true
	}
	var keys []herald.SubscriberKey
	for _, k := range saved {
		if tapped[k] {
			keys = append(keys, k)
			delete(tapped, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	seqs, err := s.subscriberSeqsTx(ctx, tx, keys)
	if err != nil {
		return err
	}
	return storage.TapTriggers(counted, seqs, func(seq uint32, kind herald.TriggerKind, detail string) error {
		return s.noteTrigger(ctx, tx, seq, kind, detail)
	})
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
