package storage

import (
	bolt "go.etcd.io/bbolt"
)

// keyProbe is the meta record readiness checks rewrite.
var keyProbe = []byte("write_probe")

// ProbeWrite commits one tiny write (the clock's time under a meta key),
// so a readiness check learns whether the database can be written now: a
// full disk, a read-only file system or a closed store fail it, while
// reads still work.
func (s *Store) ProbeWrite() error {
	stamp := u64(uint64(s.now().UnixNano()))
	return s.update("write probe", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyProbe, stamp)
	})
}
