package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Count sizes an audience with its breakdown, from the in-memory index.
func (s *Store) Count(a *herald.Audience, cat herald.Category, now time.Time) (herald.Count, error) {
	if err := s.ensureIndex(); err != nil {
		return herald.Count{}, err
	}
	return s.index.Count(a, cat, now), nil
}

// Tags lists tags on at least one reachable subscriber, most used first
// (ties by name).
func (s *Store) Tags() []herald.TagCount {
	if err := s.ensureIndex(); err != nil {
		s.logger.Error("storage: tags", "error", err)
		return nil
	}
	return TagList(s.index.TagCounts())
}

// EachRecipient streams the subscribers matching a in Seq order without
// holding them all in memory (see the shared EachRecipient): the index
// names the Seqs (a compressed bitmap), and the records are read a chunk
// per read transaction. sub is reused between calls.
func (s *Store) EachRecipient(a *herald.Audience, now time.Time, fn func(sub *herald.Subscriber) error) error {
	if err := s.ensureIndex(); err != nil {
		return err
	}
	var (
		chunk rawChunk
		sub   herald.Subscriber
	)
	return EachRecipient(s.index.Match(a, now).Iterator(), subscriberChunk, func(seqs []uint32, each func(*herald.Subscriber) error) error {
		chunk.reset()
		err := s.view("stream recipients", func(tx *bolt.Tx) error {
			// One cursor for the chunk: a Get makes a cursor, and grows
			// its stack, per call (a quarter of a GB over a million
			// recipients, while the snapshot is the run's peak). The
			// Seqs rise, so the next record is usually the one wanted.
			c := tx.Bucket(bucketSubscribers).Cursor()
			var want [4]byte
			var k, v []byte
			for _, seq := range seqs {
				binary.BigEndian.PutUint32(want[:], seq)
				if k != nil && bytes.Compare(k, want[:]) < 0 {
					k, v = c.Next()
				}
				if !bytes.Equal(k, want[:]) {
					k, v = c.Seek(want[:])
				}
				if bytes.Equal(k, want[:]) && v != nil {
					chunk.add(k, v)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		s.trim.streamed(len(chunk.buf))
		for i := range chunk.len() {
			seq, v := chunk.at(i)
			if err := DecodeSubscriber(seq, v, &sub); err != nil {
				return fmt.Errorf("storage: stream recipients: %w", err)
			}
			if err := each(&sub); err != nil {
				return err
			}
		}
		return nil
	}, fn)
}
