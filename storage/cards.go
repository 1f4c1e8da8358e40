package storage

import (
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// bucketCards keeps, by broadcast ID, the admin chat messages that ask for
// its approval (opaque here: adminchat's record of where it posted them),
// so that a decision after a restart still closes them.
var bucketCards = []byte("approval_cards")

// PutApprovalCards stores the approval requests posted for a broadcast.
func (s *Store) PutApprovalCards(broadcastID string, data []byte) error {
	return s.update("save approval cards", func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketCards)
		if err != nil {
			return err
		}
		return b.Put([]byte(broadcastID), data)
	})
}

// ApprovalCards returns what PutApprovalCards stored, or herald.ErrNotFound.
func (s *Store) ApprovalCards(broadcastID string) ([]byte, error) {
	var out []byte
	err := s.view("read approval cards", func(tx *bolt.Tx) error {
		var v []byte
		if b := tx.Bucket(bucketCards); b != nil {
			v = b.Get([]byte(broadcastID))
		}
		if v == nil {
			return fmt.Errorf("approval cards of %s: %w", broadcastID, herald.ErrNotFound)
		}
		out = slices.Clone(v)
		return nil
	})
	return out, err
}

// DeleteApprovalCards forgets a broadcast's approval requests (none is not
// an error).
func (s *Store) DeleteApprovalCards(broadcastID string) error {
	return s.update("delete approval cards", func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketCards); b != nil {
			return b.Delete([]byte(broadcastID))
		}
		return nil
	})
}
