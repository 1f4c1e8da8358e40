package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// CreateBroadcast stores a new broadcast, assigning ID (if empty),
// CreatedAt and UpdatedAt. A name already used by an unfinished broadcast is
// herald.ErrConflict.
func (s *Store) CreateBroadcast(b *herald.Broadcast) error {
	if err := PrepareBroadcast(b); err != nil {
		return fmt.Errorf("storage: create broadcast: %w", err)
	}
	nb := *b
	err := s.update("create broadcast", func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBroadcasts)
		if nb.ID == "" {
			nb.ID = freeBroadcastID(bk)
		} else if bk.Get([]byte(nb.ID)) != nil {
			return BroadcastExists(nb.ID)
		}
		if err := syncName(tx, nb.ID, nil, &nb); err != nil {
			return err
		}
		now := s.now().UTC()
		nb.CreatedAt, nb.UpdatedAt = now, now
		return putJSON(bk, []byte(nb.ID), &nb)
	})
	if err == nil {
		*b = nb
	}
	return err
}

// freeBroadcastID is an ID no broadcast in bk has.
func freeBroadcastID(bk *bolt.Bucket) string {
	id, _ := FreeBroadcastID(func(id string) (bool, error) { return bk.Get([]byte(id)) != nil, nil })
	return id
}

// Broadcast returns one broadcast or herald.ErrNotFound.
func (s *Store) Broadcast(id string) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.view("read broadcast "+id, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketBroadcasts), []byte(id), &b)
	})
	return b, err
}

// UpdateBroadcast reads, changes with fn and writes one broadcast in a
// single transaction; fn's error aborts. Status changes are checked with
// herald.Transition; ID, CreatedAt and Runs stay storage's.
func (s *Store) UpdateBroadcast(id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.update("update broadcast "+id, func(tx *bolt.Tx) error {
		var err error
		b, err = s.updateBroadcastTx(tx, id, fn)
		return err
	})
	return b, err
}

// updateBroadcastTx is UpdateBroadcast inside tx.
func (s *Store) updateBroadcastTx(tx *bolt.Tx, id string, fn func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	bk := tx.Bucket(bucketBroadcasts)
	var old herald.Broadcast
	if err := getJSON(bk, []byte(id), &old); err != nil {
		return old, err
	}
	b := old
	if err := fn(&b); err != nil {
		return b, err
	}
	if err := CheckBroadcastChange(&old, &b); err != nil {
		return b, err
	}
	if err := syncName(tx, id, &old, &b); err != nil {
		return b, err
	}
	b.UpdatedAt = s.now().UTC()
	return b, putJSON(bk, []byte(id), &b)
}

// ListBroadcasts lists broadcasts newest first (by CreatedAt, then ID).
// Broadcasts are few (thousands), so this reads them all.
func (s *Store) ListBroadcasts(q herald.BroadcastQuery) ([]herald.Broadcast, error) {
	all, err := s.allBroadcasts(func(b *herald.Broadcast) bool { return BroadcastListed(q, b) })
	if err != nil {
		return nil, err
	}
	return PageBroadcasts(all, q), nil
}

// FindBroadcasts finds broadcasts by ID (as people type it: "7k2q") or by
// a case-insensitive part of the name; an exact ID comes first.
func (s *Store) FindBroadcasts(text string, limit int) ([]herald.Broadcast, error) {
	f, ok := NewBroadcastSearch(text)
	if !ok {
		return nil, nil
	}
	all, err := s.allBroadcasts(f.Match)
	if err != nil {
		return nil, err
	}
	return f.Order(all, limit), nil
}

func (s *Store) allBroadcasts(keep func(b *herald.Broadcast) bool) ([]herald.Broadcast, error) {
	var out []herald.Broadcast
	err := s.view("list broadcasts", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBroadcasts).ForEach(func(k, v []byte) error {
			var b herald.Broadcast
			if err := json.Unmarshal(v, &b); err != nil {
				return fmt.Errorf("broadcast %s: %w", k, err)
			}
			if keep(&b) {
				out = append(out, b)
			}
			return nil
		})
	})
	SortBroadcasts(out)
	return out, err
}

// DeleteBroadcast removes a broadcast with its runs, deliveries and taps.
func (s *Store) DeleteBroadcast(id string) error {
	_, err := s.DeleteBroadcastIf(id, nil)
	return err
}

// DeleteBroadcastIf is DeleteBroadcast when ok (nil: always) accepts the
// broadcast as it is in the transaction; ok's error aborts. It returns the
// broadcast deleted.
func (s *Store) DeleteBroadcastIf(id string, ok func(b *herald.Broadcast) error) (herald.Broadcast, error) {
	var old herald.Broadcast
	err := s.update("delete broadcast "+id, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBroadcasts)
		if err := getJSON(bk, []byte(id), &old); err != nil {
			return err
		}
		if ok != nil {
			if err := ok(&old); err != nil {
				return err
			}
		}
		return deleteBroadcastTx(tx, id, &old)
	})
	return old, err
}

// deleteBroadcastTx removes broadcast old, stored under id, with its runs,
// deliveries, taps and clicks.
func deleteBroadcastTx(tx *bolt.Tx, id string, old *herald.Broadcast) error {
	if err := syncName(tx, id, old, nil); err != nil {
		return err
	}
	if err := tx.Bucket(bucketBroadcasts).Delete([]byte(id)); err != nil {
		return err
	}
	prefix := []byte(id + "/")
	if err := deletePrefix(tx.Bucket(bucketRuns), prefix); err != nil {
		return err
	}
	dels := tx.Bucket(bucketDeliveries)
	var names [][]byte
	c := dels.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		names = append(names, slices.Clone(k))
	}
	for _, n := range names {
		if err := dels.DeleteBucket(n); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return err
		}
	}
	// Taps and clicks go with it (the click buckets exist from the
	// first click on).
	respPrefix := []byte(id + "\x00")
	for _, name := range [][]byte{bucketTaps, bucketTapUsers, bucketClicks, bucketClickUsers} {
		if b := tx.Bucket(name); b != nil {
			if err := deletePrefix(b, respPrefix); err != nil {
				return err
			}
		}
	}
	return nil
}
