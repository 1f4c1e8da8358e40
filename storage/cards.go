package storage

import (
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// bucketCards keeps the approval cards (ApprovalCardRecords).
var bucketCards = []byte(ApprovalCardRecords.Name)

// PutApprovalCards stores the approval requests posted for a broadcast.
func (s *Store) PutApprovalCards(broadcastID string, data []byte) error {
	return s.putChatRecord(bucketCards, "save approval cards", broadcastID, data)
}

// ApprovalCards returns what PutApprovalCards stored, or herald.ErrNotFound.
func (s *Store) ApprovalCards(broadcastID string) ([]byte, error) {
	return s.chatRecord(bucketCards, "read approval cards", ApprovalCardRecords.What+" of "+broadcastID, broadcastID)
}

// DeleteApprovalCards forgets a broadcast's approval requests (none is not
// an error).
func (s *Store) DeleteApprovalCards(broadcastID string) error {
	return s.deleteChatRecord(bucketCards, "delete approval cards", broadcastID)
}

// Chat records are what the admin chats keep of messages they will edit
// later (approval cards, progress messages): opaque bytes by key, in a
// bucket of their own made on first use.

func (s *Store) putChatRecord(bucket []byte, what, key string, data []byte) error {
	return s.update(what, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return err
		}
		return b.Put([]byte(key), data)
	})
}

// chatRecord returns a record, or herald.ErrNotFound naming it as name.
func (s *Store) chatRecord(bucket []byte, what, name, key string) ([]byte, error) {
	var out []byte
	err := s.view(what, func(tx *bolt.Tx) error {
		var v []byte
		if b := tx.Bucket(bucket); b != nil {
			v = b.Get([]byte(key))
		}
		if v == nil {
			return fmt.Errorf("%s: %w", name, herald.ErrNotFound)
		}
		out = slices.Clone(v)
		return nil
	})
	return out, err
}

// chatRecords returns every record of a bucket by key.
func (s *Store) chatRecords(bucket []byte, what string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := s.view(what, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			out[string(k)] = slices.Clone(v)
			return nil
		})
	})
	return out, err
}

func (s *Store) deleteChatRecord(bucket []byte, what, key string) error {
	return s.update(what, func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket); b != nil {
			return b.Delete([]byte(key))
		}
		return nil
	})
}
