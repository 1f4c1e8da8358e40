package storage

import (
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// rawPutSeconds is the baseline the write benchmarks are compared with in
// the same run: plain bbolt Puts of ready-made values under 4-byte keys, in
// the same batches, into a fresh file — what any bbolt store pays, without
// our reads, validation, indexes and tallies.
func rawPutSeconds(b *testing.B, values [][]byte, batch int) float64 {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "raw.db"), 0o600, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	for from := 0; from < len(values); from += batch {
		err := db.Update(func(tx *bolt.Tx) error {
			bk, err := tx.CreateBucketIfNotExists([]byte("raw"))
			if err != nil {
				return err
			}
			bk.FillPercent = appendFill
			for i := from; i < min(from+batch, len(values)); i++ {
				if err := bk.Put(u32(uint32(i+1)), values[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start).Seconds()
}
