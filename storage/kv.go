package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// putJSON stores v as JSON under k.
func putJSON(b *bolt.Bucket, k []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put(k, data)
}

// getJSON reads the JSON under k into v, or herald.ErrNotFound.
func getJSON(b *bolt.Bucket, k []byte, v any) error {
	data := b.Get(k)
	if data == nil {
		return fmt.Errorf("%s: %w", k, herald.ErrNotFound)
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", k, err)
	}
	return nil
}

func hasPrefix(k, prefix []byte) bool { return bytes.HasPrefix(k, prefix) }

// deletePrefix removes every key starting with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
		keys = append(keys, slices.Clone(k))
	}
	for _, k := range keys {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// present is the value of keys that only mark membership: bbolt's Get
// cannot tell a nil value from a missing key.
var present = []byte{1}

// appendFill packs pages of buckets whose keys only grow (Seqs, sequence
// numbers): bbolt's default splits pages half full, which suits random
// inserts but doubles the size of an append-only bucket.
const appendFill = 0.95
