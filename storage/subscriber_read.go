package storage

import (
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Subscribers reads the subscribers under keys as Subscriber reads each,
// in one read transaction through two cursors: a broadcast reads every
// recipient as it is just before the send, and a transaction and fresh
// cursors per recipient were a tenth of the dispatcher's CPU. subs[i] and
// errs[i] answer keys[i] (errs[i] nil when found).
func (s *Store) Subscribers(keys []herald.SubscriberKey) (subs []herald.Subscriber, errs []error) {
	subs, errs = make([]herald.Subscriber, len(keys)), make([]error, len(keys))
	err := s.view("read subscribers", func(tx *bolt.Tx) error {
		r := newSubReader(tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys))
		var k []byte
		for i, key := range keys {
			k = appendSubKey(k[:0], key)
			sub, err := r.get(k)
			if err == nil && sub == nil {
				err = fmt.Errorf("subscriber %s: %w", key, herald.ErrNotFound)
				sub, err = movedSubscriber(tx, key, err) // a chat that got a new ID (rekey.go)
			}
			if err != nil {
				errs[i] = fmt.Errorf("storage: read subscribers: %w", err)
				continue
			}
			subs[i] = *sub
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return subs, errs
}
