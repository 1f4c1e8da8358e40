package storage

import (
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Recipients reads the subscribers of a run's deliveries as Subscriber
// reads each, in one read transaction through two cursors (a transaction
// and fresh cursors per recipient were a tenth of the dispatcher's CPU):
// subs[i] and errs[i] answer ds[i], errs[i] nil when found. It finds each by
// the Seq the snapshot recorded, checking the key: a channel pages its
// recipients in Seq order, so their records sit on neighbouring pages,
// while the key index sorts by ID, which has nothing to do with when
// people came (a page of Messenger recipients touched hundreds of its
// pages, each fault mapping 64 KiB: 26 MB of a million-recipient run's
// resident set within 20 ms of sending). A Seq that now holds another key
// (a chat that moved) is looked up by key, as Subscriber does.
func (s *Store) Recipients(ds []herald.Delivery) (subs []herald.Subscriber, errs []error) {
	keys, seqs := make([]herald.SubscriberKey, len(ds)), make([]uint32, len(ds))
	for i := range ds {
		keys[i], seqs[i] = ds[i].Recipient, ds[i].Seq
	}
	return s.readSubscribers(keys, seqs)
}

// readSubscribers answers keys as Subscriber does, trying seqs[i] first
// for keys[i] when seqs is not nil.
func (s *Store) readSubscribers(keys []herald.SubscriberKey, seqs []uint32) (subs []herald.Subscriber, errs []error) {
	subs, errs = make([]herald.Subscriber, len(keys)), make([]error, len(keys))
	err := s.view("read subscribers", func(tx *bolt.Tx) error {
		r := newSubReader(tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys))
		var k []byte
		for i, key := range keys {
			var sub *herald.Subscriber
			var err error
			if seqs != nil {
				var found bool
				if found, err = r.atInto(seqs[i], key, &subs[i]); found {
					continue
				}
				subs[i] = herald.Subscriber{}
			}
			if sub == nil && err == nil {
				k = appendSubKey(k[:0], key)
				sub, err = r.get(k)
			}
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
