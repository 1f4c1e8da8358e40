package storage

import (
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// subscriberChunk is how many subscribers one read transaction streams:
// long enough to amortise the transaction, short enough that no read
// transaction lives long (a long one would stall writers that grow the file).
const subscriberChunk = 1000

// EachSubscriber streams every subscriber in Seq order, a chunk of them
// per read transaction (so it is not one consistent snapshot when writes
// go on). sub, its Tags and its Attributes are reused between calls: copy
// what you keep (its strings are its own and may be kept).
func (s *Store) EachSubscriber(fn func(sub *herald.Subscriber) error) error {
	return s.scanSubscribers(0, fn)
}

// EachSubscriberFrom is EachSubscriber starting after Seq after: a page of
// a listing resumes where the last one stopped (its cursor is a Seq).
func (s *Store) EachSubscriberFrom(after uint32, fn func(sub *herald.Subscriber) error) error {
	return s.scanSubscribers(after, fn)
}

func (s *Store) scanSubscribers(after uint32, fn func(sub *herald.Subscriber) error) error {
	var (
		first = after == 0
		chunk rawChunk
		sub   herald.Subscriber
	)
	for {
		chunk.reset()
		err := s.view("stream subscribers", func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketSubscribers).Cursor()
			k, v := c.First()
			if !first {
				k, v = c.Seek(u32(after + 1))
			}
			for ; k != nil && chunk.len() < subscriberChunk; k, v = c.Next() {
				chunk.add(k, v)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if chunk.len() == 0 {
			return nil
		}
		s.trim.streamed(len(chunk.buf))
		for i := range chunk.len() {
			seq, v := chunk.at(i)
			// One string per record, so a kept ID pins only its own record.
			if err := DecodeSubscriberString(seq, string(v), &sub, true); err != nil {
				return fmt.Errorf("storage: stream subscribers: %w", err)
			}
			if err := fn(&sub); err != nil {
				return err
			}
			after = seq
		}
		first = false
		if chunk.len() < subscriberChunk {
			return nil
		}
	}
}

// rawChunk holds copies of up to a chunk of records read in one
// transaction, in one reused buffer, to decode after the transaction ends.
type rawChunk struct {
	buf  []byte
	seqs []uint32
	ends []int
}

func (c *rawChunk) reset() { c.buf, c.seqs, c.ends = c.buf[:0], c.seqs[:0], c.ends[:0] }

func (c *rawChunk) len() int { return len(c.seqs) }

func (c *rawChunk) add(k, v []byte) {
	c.seqs = append(c.seqs, uint32(k[0])<<24|uint32(k[1])<<16|uint32(k[2])<<8|uint32(k[3]))
	c.buf = append(c.buf, v...)
	c.ends = append(c.ends, len(c.buf))
}

func (c *rawChunk) at(i int) (uint32, []byte) {
	start := 0
	if i > 0 {
		start = c.ends[i-1]
	}
	return c.seqs[i], c.buf[start:c.ends[i]]
}
