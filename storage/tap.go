package storage

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Taps are counted per broadcast button as two uvarints (every press,
// different subscribers); who pressed is kept as keys so Unique stays
// exact across restarts.

func tapKey(t *herald.Tap) []byte { return []byte(t.BroadcastID + "\x00" + t.ButtonID) }

// RecordTaps adds taps to their broadcasts' per-button counts, in one
// transaction.
func (s *Store) RecordTaps(taps []herald.Tap) error {
	return s.update(fmt.Sprintf("record %d taps", len(taps)), func(tx *bolt.Tx) error { return recordTaps(tx, taps) })
}

// recordTaps is RecordTaps inside a transaction.
func recordTaps(tx *bolt.Tx, taps []herald.Tap) error {
	counts, users := tx.Bucket(bucketTaps), tx.Bucket(bucketTapUsers)
	for i := range taps {
		t := &taps[i]
		k := tapKey(t)
		total, unique := decodeTapCount(counts.Get(k))
		total++
		uk := append(append(slices.Clip(k), 0), t.Subscriber.String()...)
		if users.Get(uk) == nil {
			unique++
			if err := users.Put(uk, present); err != nil {
				return err
			}
		}
		v := binary.AppendUvarint(binary.AppendUvarint(nil, total), unique)
		if err := counts.Put(k, v); err != nil {
			return err
		}
	}
	return nil
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
	var out []herald.TapCount
	prefix := []byte(broadcastID + "\x00")
	err := s.view("read taps of "+broadcastID, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTaps).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			total, unique := decodeTapCount(v)
			out = append(out, herald.TapCount{ButtonID: string(k[len(prefix):]), Taps: int(total), Unique: int(unique)})
		}
		return nil
	})
	return out, err
}
