package storage

import (
	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// SaveAdmin stores an admin's profile.
func (s *Store) SaveAdmin(a herald.Admin) error {
	if err := CheckAdmin(&a); err != nil {
		return err
	}
	return s.update("save admin "+a.Key, func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAdmins), []byte(a.Key), &a)
	})
}

// Admin returns an admin's profile or herald.ErrNotFound.
func (s *Store) Admin(key string) (herald.Admin, error) {
	var a herald.Admin
	err := s.view("read admin "+key, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketAdmins), []byte(key), &a)
	})
	return a, err
}
