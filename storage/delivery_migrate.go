package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// legacyPending is the one pending index of schema 2 and before, which held
// every platform's pending records together.
var legacyPending = []byte("pending")

// indexPendingByPlatform moves every run's pending index into one index per
// platform (see delivery.go), so a run that an older version left
// unfinished resumes with each channel reading only its own records.
func indexPendingByPlatform(tx *bolt.Tx) error {
	dels := tx.Bucket(bucketDeliveries)
	var runs [][]byte
	if err := dels.ForEachBucket(func(k []byte) error {
		runs = append(runs, bytes.Clone(k))
		return nil
	}); err != nil {
		return err
	}
	for _, key := range runs {
		rb := dels.Bucket(key)
		old := rb.Bucket(legacyPending)
		if old == nil {
			continue
		}
		all := rb.Bucket(bucketAll)
		ixs := map[herald.Platform]*bolt.Bucket{}
		var d herald.Delivery
		err := old.ForEach(func(k, _ []byte) error {
			seq := binary.BigEndian.Uint32(k)
			v := all.Get(k)
			if v == nil {
				return nil // an index entry without its record: nothing to send
			}
			if err := decodeDelivery(seq, v, &d); err != nil {
				return err
			}
			ix := ixs[d.Recipient.Platform]
			if ix == nil {
				var err error
				if ix, err = rb.CreateBucketIfNotExists(pendingIndex(d.Recipient.Platform)); err != nil {
					return err
				}
				ix.FillPercent = appendFill
				ixs[d.Recipient.Platform] = ix
			}
			return ix.Put(bytes.Clone(k), present)
		})
		if err != nil {
			return fmt.Errorf("run %x: %w", key, err)
		}
		if err := rb.DeleteBucket(legacyPending); err != nil {
			return fmt.Errorf("run %x: %w", key, err)
		}
	}
	return nil
}
