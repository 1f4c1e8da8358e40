package storage

import (
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// PutSession stores an admin's conversation state (opaque to storage).
func (s *Store) PutSession(key string, data []byte) error {
	return s.update("save session", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put([]byte(key), data)
	})
}

// Session returns a stored session or herald.ErrNotFound.
func (s *Store) Session(key string) ([]byte, error) {
	var out []byte
	err := s.view("read session", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get([]byte(key))
		if v == nil {
			return fmt.Errorf("session %s: %w", key, herald.ErrNotFound)
		}
		out = slices.Clone(v)
		return nil
	})
	return out, err
}

// DeleteSession removes a session (a missing one is not an error: the
// conversation is over either way).
func (s *Store) DeleteSession(key string) error {
	return s.update("delete session", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(key))
	})
}
