package storage

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Taps are counted per broadcast button as two uvarints (every press,
// different subscribers); who pressed is kept as keys so Unique stays
// exact across restarts, each with the time of their first press as its
// value (response_timeline.go).

func tapKey(t *herald.Tap) []byte { return []byte(t.BroadcastID + "\x00" + t.ButtonID) }

// RecordTaps adds taps to their broadcasts' per-button counts, in one
// transaction.
func (s *Store) RecordTaps(taps []herald.Tap) error {
	if err := s.ensureIndex(); err != nil {
		return err
	}
	var first []response
	err := s.update(fmt.Sprintf("record %d taps", len(taps)), func(tx *bolt.Tx) (err error) {
		first, err = recordTaps(tx, taps)
		return err
	})
	if err == nil {
		s.indexResponses(first)
	}
	return err
}

// recordTaps is RecordTaps inside a transaction. It returns the first taps
// of a subscriber on a button, for the audience index once committed.
func recordTaps(tx *bolt.Tx, taps []herald.Tap) ([]response, error) {
	counts, users := tx.Bucket(bucketTaps), tx.Bucket(bucketTapUsers)
	keys := tx.Bucket(bucketSubKeys)
	var first []response
	for i := range taps {
		t := &taps[i]
		who := []byte(t.Subscriber.String())
		isFirst, err := countOnce(counts, users, tapKey(t), who, t.At)
		if err != nil {
			return nil, err
		}
		if v := keys.Get(subKey(t.Subscriber)); isFirst && len(v) == 4 {
			first = append(first, response{t.BroadcastID, t.ButtonID, be32(v)})
		}
	}
	return first, nil
}

// countOnce adds one to k's total in counts, and to its unique count when
// who has not been counted under k before (users remembers who was, and
// when: at); first says it was not.
func countOnce(counts, users *bolt.Bucket, k, who []byte, at time.Time) (first bool, err error) {
	total, unique := decodeTapCount(counts.Get(k))
	total++
	uk := append(append(slices.Clip(k), 0), who...)
	if users.Get(uk) == nil {
		first = true
		unique++
		if err := users.Put(uk, firstStamp(at)); err != nil {
			return false, err
		}
	}
	return first, counts.Put(k, encodeTapCount(total, unique))
}

// encodeTapCount is a button's counts as stored: two uvarints.
func encodeTapCount(total, unique uint64) []byte {
	return binary.AppendUvarint(binary.AppendUvarint(nil, total), unique)
}

func decodeTapCount(v []byte) (total, unique uint64) {
	total, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, 0
	}
	unique, _ = binary.Uvarint(v[n:])
	return total, unique
}

// Taps returns a broadcast's click-through per button, by button ID.
func (s *Store) Taps(broadcastID string) ([]herald.TapCount, error) {
	return s.counts(bucketTaps, "read taps of "+broadcastID, broadcastID)
}

// counts reads a broadcast's per-button counts from a counts bucket (taps,
// clicks) in a transaction of its own.
func (s *Store) counts(bucket []byte, what, broadcastID string) ([]herald.TapCount, error) {
	var out []herald.TapCount
	err := s.view(what, func(tx *bolt.Tx) error {
		out = readCounts(tx.Bucket(bucket), broadcastID)
		return nil
	})
	return out, err
}

// readCounts reads a broadcast's per-button counts from a counts bucket
// (nil: none yet).
func readCounts(b *bolt.Bucket, broadcastID string) []herald.TapCount {
	if b == nil {
		return nil
	}
	var out []herald.TapCount
	prefix := []byte(broadcastID + "\x00")
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		total, unique := decodeTapCount(v)
		out = append(out, herald.TapCount{ButtonID: string(k[len(prefix):]), Taps: int(total), Unique: int(unique)})
	}
	return out
}
