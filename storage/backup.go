package storage

import (
	"io"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w while writes go on
// (one read transaction: bbolt's copy-on-write pages keep it consistent).
// Writing it to a file safely (beside the target, synced, renamed, then
// checked) is the backup command's job (cmd/bot).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.view("backup", func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}
