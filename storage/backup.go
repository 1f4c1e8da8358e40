package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database to w while writes go on
// (one read transaction: bbolt's copy-on-write pages keep it consistent).
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.view("backup", func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a consistent copy of the database to path: to a
// temporary file beside it first, synced, then renamed, so an interrupted
// backup never leaves a half-written file under the final name.
func (s *Store) BackupFile(path string) (int64, error) {
	return writeFileAtomic(path, s.Backup)
}

// writeFileAtomic writes path through a synced temporary file and a rename.
func writeFileAtomic(path string, write func(w io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	n, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("storage: backup to %s: %w", path, err)
	}
	return n, nil
}
