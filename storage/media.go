package storage

import (
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// PutMedia stores an uploaded file (an image for a broadcast) and returns
// its new random ID.
func (s *Store) PutMedia(contentType string, data []byte) (string, error) {
	var id string
	err := s.update("save media", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMedia)
		for {
			id = NewMediaID()
			if b.Get([]byte(id)) == nil {
				break
			}
		}
		e := encoder{}
		e.str(contentType)
		return b.Put([]byte(id), append(e.b, data...))
	})
	return id, err
}

// Media returns a stored file or herald.ErrNotFound.
func (s *Store) Media(id string) (contentType string, data []byte, err error) {
	err = s.view("read media "+id, func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMedia).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("media %s: %w", id, herald.ErrNotFound)
		}
		d := newDecoder(v)
		contentType = d.str()
		if d.err != nil {
			return fmt.Errorf("media %s: %w", id, d.err)
		}
		data = append([]byte(nil), v[d.off:]...)
		return nil
	})
	return contentType, data, err
}
