package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// encodeBlock is the size of the buffers a write transaction encodes its
// records into: one allocation per few hundred records, not several each.
const encodeBlock = 64 << 10

// change is one committed subscriber write, for the audience index.
type change struct{ old, new *herald.Subscriber }

// subKey is k as a key of the subscriber-key bucket, "platform:id", or
// "platform@account:id" for a named account: the default account's keys
// are the ones written before accounts existed, so old files need no
// migration.
func subKey(k herald.SubscriberKey) []byte { return appendSubKey(nil, k) }

// appendSubKey is subKey into a caller's buffer (bbolt copies keys it keeps).
func appendSubKey(b []byte, k herald.SubscriberKey) []byte {
	b = append(b, k.Platform...)
	if k.Account != "" {
		b = append(b, '@')
		b = append(b, k.Account...)
	}
	b = append(b, ':')
	return append(b, k.ID...)
}

// PutSubscribers inserts or replaces subscribers in one transaction (see
// SubscriberWriter).
func (s *Store) PutSubscribers(subs []herald.Subscriber) error {
	return SubscriberWriter(s.writeSubscribers).PutSubscribers(subs)
}

// UpdateSubscriber reads (or creates) the subscriber at key, applies fn
// and writes it back, in one transaction (see SubscriberWriter).
func (s *Store) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	return SubscriberWriter(s.writeSubscribers).UpdateSubscriber(key, fn)
}

// UpdateSubscribers is UpdateSubscriber for many keys in one transaction
// (see SubscriberWriter).
func (s *Store) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	return SubscriberWriter(s.writeSubscribers).UpdateSubscribers(keys, fn)
}

// writeSubscribers is the one write path for subscribers: read or create,
// change, validate, write, commit, then update the index in commit order.
func (s *Store) writeSubscribers(what string, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error, done func(i int, sub *herald.Subscriber)) error {
	if err := s.ensureIndex(); err != nil {
		return err
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	var changes []change
	var results []*herald.Subscriber
	err := s.update(what, func(tx *bolt.Tx) (err error) {
		changes, results, err = s.putSubscribers(tx, keys, fn)
		return err
	})
	s.tellNotes()
	if err != nil {
		return err
	}
	s.indexChanges(changes)
	if done != nil {
		for i, sub := range results {
			done(i, sub)
		}
	}
	return nil
}

// indexChanges applies committed subscriber writes to the audience index,
// in commit order; s.subMu is held.
func (s *Store) indexChanges(changes []change) {
	for _, c := range changes {
		s.index.Put(c.old, c.new)
	}
}

// putSubscribers is writeSubscribers' part inside the transaction: it
// returns the changes for the index and each key's record as written.
func (s *Store) putSubscribers(tx *bolt.Tx, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error) ([]change, []*herald.Subscriber, error) {
	changes := make([]change, 0, len(keys))
	results := make([]*herald.Subscriber, len(keys))
	err := func() error {
		now := s.now().UTC()
		subs, idx := tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys)
		subs.FillPercent = appendFill
		// Records are encoded back to back into enc. bbolt keeps each value
		// slice until commit, so bytes handed to Put are never written again:
		// enc only grows (a full one is left to bbolt and a new one started).
		var enc, kb []byte
		reader := newSubReader(subs, idx)
		notes := openNotes(tx, &s.notesWritten)
		for i, key := range keys {
			kb = appendSubKey(kb[:0], key)
			old, err := reader.get(kb)
			if err != nil {
				return err
			}
			sub, err := ChangeSubscriber(key, old, now, &s.validator, func(sub *herald.Subscriber, created bool) error {
				return fn(i, sub, created)
			})
			if err != nil {
				return err
			}
			if sub.Seq == 0 {
				n, err := subs.NextSequence()
				if err != nil {
					return err
				}
				if n > math.MaxUint32 {
					return fmt.Errorf("subscriber %s: out of subscriber numbers", key)
				}
				sub.Seq = uint32(n)
				if err := idx.Put(kb, u32(sub.Seq)); err != nil {
					return err
				}
			}
			if cap(enc)-len(enc) < 512 {
				enc = make([]byte, 0, encodeBlock)
			}
			start := len(enc)
			enc = AppendSubscriber(enc, sub)
			if err := subs.Put(u32(sub.Seq), enc[start:len(enc):len(enc)]); err != nil {
				return err
			}
			changes = append(changes, change{old: old, new: sub})
			if err := notes.changed(old, sub); err != nil {
				return err
			}
			results[i] = sub
		}
		return nil
	}()
	return changes, results, err
}

// getSubscriber reads one subscriber in tx, or herald.ErrNotFound.
func getSubscriber(subs, idx *bolt.Bucket, key herald.SubscriberKey) (*herald.Subscriber, error) {
	sub, err := newSubReader(subs, idx).get(subKey(key))
	if err == nil && sub == nil {
		err = fmt.Errorf("subscriber %s: %w", key, herald.ErrNotFound)
	}
	return sub, err
}

// subReader looks subscribers up through two cursors reused for a whole
// write transaction: bbolt's Bucket.Get makes a new cursor, and allocates
// its stack, on every call. Each lookup seeks afresh, so Puts in between
// (which may invalidate a cursor's position) do no harm.
type subReader struct{ subs, idx *bolt.Cursor }

func newSubReader(subs, idx *bolt.Bucket) subReader {
	return subReader{subs: subs.Cursor(), idx: idx.Cursor()}
}

// get reads the subscriber under key (subKey's form); nil, nil when it is
// not stored — most lookups of a bulk load, where a formatted error each
// was measurable.
func (r subReader) get(key []byte) (*herald.Subscriber, error) {
	k, seqb := r.idx.Seek(key)
	if !bytes.Equal(k, key) || len(seqb) != 4 {
		return nil, nil
	}
	seq := uint32(seqb[0])<<24 | uint32(seqb[1])<<16 | uint32(seqb[2])<<8 | uint32(seqb[3])
	return r.record(seq, seqb)
}

// atInto decodes the subscriber numbered seq into dst if it is still the
// one under key (a page of recipients decodes straight into its result,
// without a Subscriber allocated per recipient); false when seq holds no
// one or someone else (the key's chat moved). dst is overwritten either way.
func (r subReader) atInto(seq uint32, key herald.SubscriberKey, dst *herald.Subscriber) (bool, error) {
	var seqb [4]byte
	binary.BigEndian.PutUint32(seqb[:], seq)
	ok, err := r.recordInto(seq, seqb[:], dst)
	if err != nil || !ok || dst.Key() != key {
		return false, err
	}
	return true, nil
}

// record decodes the subscriber record numbered seq (seqb, its key); nil,
// nil when there is none.
func (r subReader) record(seq uint32, seqb []byte) (*herald.Subscriber, error) {
	sub := new(herald.Subscriber)
	if ok, err := r.recordInto(seq, seqb, sub); !ok {
		return nil, err
	}
	return sub, nil
}

// recordInto is record decoding into dst; false when there is none.
func (r subReader) recordInto(seq uint32, seqb []byte, dst *herald.Subscriber) (bool, error) {
	k, v := r.subs.Seek(seqb)
	if !bytes.Equal(k, seqb) || v == nil {
		return false, nil
	}
	if err := DecodeSubscriber(seq, v, dst); err != nil {
		return false, err
	}
	return true, nil
}

// Subscriber returns one subscriber or herald.ErrNotFound. A key whose
// chat moved to a new ID (MoveSubscriber) finds the subscriber under its
// new key.
func (s *Store) Subscriber(key herald.SubscriberKey) (herald.Subscriber, error) {
	var out herald.Subscriber
	err := s.view("read subscriber", func(tx *bolt.Tx) error {
		sub, err := getSubscriber(tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys), key)
		if errors.Is(err, herald.ErrNotFound) {
			sub, err = movedSubscriber(tx, key, err) // a chat that got a new ID (rekey.go)
		}
		if err == nil {
			out = *sub
		}
		return err
	})
	return out, err
}

// DeleteSubscriber erases a subscriber (a person's request for erasure).
// Its Seq is never given to anyone else.
func (s *Store) DeleteSubscriber(key herald.SubscriberKey) error {
	if err := s.ensureIndex(); err != nil {
		return err
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	var old *herald.Subscriber
	err := s.update("delete subscriber", func(tx *bolt.Tx) error {
		subs, idx := tx.Bucket(bucketSubscribers), tx.Bucket(bucketSubKeys)
		var err error
		if old, err = getSubscriber(subs, idx, key); err != nil {
			return err
		}
		if err := subs.Delete(u32(old.Seq)); err != nil {
			return err
		}
		return idx.Delete(subKey(key))
	})
	if err != nil {
		return err
	}
	s.index.Put(old, nil)
	return nil
}
