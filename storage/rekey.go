package storage

import (
	"bytes"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// bucketMoves remembers where subscribers went when their platform gave
// their chat a new ID: "platform:old-id" → "platform:new-id". It is created
// by the first move (files without moves have none).
var bucketMoves = []byte("subscriber_moves")

// MoveSubscriber records that the chat Herald knew as from now lives at to:
// a Telegram group that became a supergroup gets a new chat ID, and the
// Bot API then refuses the old one. The subscriber keeps everything it had
// (tags, attributes, activity, consent, operator chat) under its new ID.
//
// Usually to is new to Herald: the record is re-keyed in place and keeps
// its Seq, so runs that snapshotted it still match it (their deliveries
// name the Seq) and the audience index only changes the ID. When to is
// already a subscriber of its own (Herald missed the migration and someone
// wrote in the new chat since), the two are merged into to's record, which
// keeps its Seq; the old record is removed. Tags are the union, to's
// attributes win over from's, the first and last activity span both, and a
// stop said in either chat stands. Either way Subscriber(from) finds the
// record afterwards (a run's pending delivery under the old ID still
// reaches the chat).
//
// Moving again is harmless: when from is gone because it already moved to
// to, MoveSubscriber returns to's record. When Herald knows neither ID the
// error is herald.ErrNotFound.
func (s *Store) MoveSubscriber(from, to herald.SubscriberKey) (herald.Subscriber, error) {
	if err := CheckMove(from, to); err != nil {
		return herald.Subscriber{}, err
	}
	if err := s.ensureIndex(); err != nil {
		return herald.Subscriber{}, err
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	var out herald.Subscriber
	var changes []change
	err := s.update("move subscriber "+from.String()+" to "+to.String(), func(tx *bolt.Tx) error {
		changes = changes[:0]
		subs, idx := tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys)
		moves, err := tx.CreateBucketIfNotExists(bucketMoves)
		if err != nil {
			return err
		}
		reader := newSubReader(subs, idx)
		old, err := reader.get(subKey(from))
		if err != nil {
			return err
		}
		cur, err := reader.get(subKey(to))
		if err != nil {
			return err
		}
		if old == nil {
			if cur != nil && bytes.Equal(moves.Get(subKey(from)), subKey(to)) {
				out = *cur // moved before
				return nil
			}
			return fmt.Errorf("subscriber %s: %w", from, herald.ErrNotFound)
		}
		moved, err := MovedSubscriber(old, cur, to, &s.validator)
		if err != nil {
			return err
		}
		if cur == nil {
			if err := idx.Put(subKey(to), u32(moved.Seq)); err != nil {
				return err
			}
			changes = append(changes, change{old: old, new: &moved})
		} else {
			if err := subs.Delete(u32(old.Seq)); err != nil {
				return err
			}
			changes = append(changes, change{old: old}, change{old: cur, new: &moved})
		}
		if err := subs.Put(u32(moved.Seq), AppendSubscriber(nil, &moved)); err != nil {
			return err
		}
		if err := idx.Delete(subKey(from)); err != nil {
			return err
		}
		if err := moves.Put(subKey(from), subKey(to)); err != nil {
			return err
		}
		out = moved
		return nil
	})
	if err != nil {
		return herald.Subscriber{}, err
	}
	for _, c := range changes {
		s.index.Put(c.old, c.new)
	}
	return out, nil
}

// movedSubscriber follows the moves recorded for key (see MoveSubscriber)
// to the subscriber the chat is now; notFound is returned when there is
// none.
func movedSubscriber(tx *bolt.Tx, key herald.SubscriberKey, notFound error) (*herald.Subscriber, error) {
	moves := tx.Bucket(bucketMoves)
	if moves == nil {
		return nil, notFound
	}
	reader := newSubReader(tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys))
	k := subKey(key)
	for range MaxMoveHops {
		if k = moves.Get(k); k == nil {
			return nil, notFound
		}
		sub, err := reader.get(k)
		if err != nil || sub != nil {
			return sub, err
		}
	}
	return nil, TooManyMoves(key, notFound)
}
