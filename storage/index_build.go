package storage

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	bolt "go.etcd.io/bbolt"
)

// rebuildChunk is how many records one read transaction of the index
// rebuild copies out: a few hundred KB, so no read transaction lives long.
const rebuildChunk = 4096

// maxSubscriberRecord bounds one stored subscriber (far above any real one): a longer value is a
// damaged page's garbage length, not a record to copy.
const maxSubscriberRecord = 16 << 20

// subBatch is a chunk of decoded subscribers handed from the reader to the
// index builder; the two goroutines pass two of them back and forth.
type subBatch struct {
	subs []herald.Subscriber
	n    int
}

// buildIndex streams every stored subscriber into an audience.Builder. One
// goroutine reads and decodes chunks while this one indexes the previous
// chunk: on two cores the rebuild takes about as long as the slower half
// instead of their sum.
func (s *Store) buildIndex() (*audience.Index, int, error) {
	full := make(chan *subBatch, 1)
	free := make(chan *subBatch, 2)
	free <- new(subBatch)
	free <- new(subBatch)
	errc := make(chan error, 1)
	go func() {
		defer close(full)
		errc <- s.readSubscriberBatches(free, full)
	}()
	b := audience.NewBuilder()
	n := 0
	for batch := range full {
		for i := range batch.subs[:batch.n] {
			b.Add(&batch.subs[i])
		}
		n += batch.n
		free <- batch
	}
	if err := <-errc; err != nil {
		return nil, 0, err
	}
	x := b.Index()
	if err := s.loadResponses(x); err != nil {
		return nil, 0, err
	}
	return x, n, nil
}

// readSubscriberBatches reads subscribers in Seq order, rebuildChunk per
// read transaction, and decodes each chunk into a batch from free. A chunk's
// records are copied into one string, so the decoded fields are substrings
// of it: one allocation per chunk, none per record (the Builder copies what
// it keeps).
//
// It runs in a goroutine of its own and reads every subscriber page: its
// reads go through s.view, so a damaged page is an error here, never a
// fault that kills the process (see guard).
func (s *Store) readSubscriberBatches(free <-chan *subBatch, full chan<- *subBatch) error {
	var (
		after uint32
		first = true
		seqs  []uint32
		ends  []int
	)
	for {
		var recs strings.Builder
		seqs, ends = seqs[:0], ends[:0]
		err := s.view("stream subscribers", func(tx *bolt.Tx) error {
			subs := tx.Bucket(bucketSubscribers)
			top := subs.Sequence() // the last Seq handed out (NextSequence)
			c := subs.Cursor()
			k, v := c.First()
			if !first {
				k, v = c.Seek(u32(after + 1))
			}
			for ; k != nil && len(seqs) < rebuildChunk; k, v = c.Next() {
				if len(k) != 4 || len(v) > maxSubscriberRecord || uint64(be32(k)) > top {
					return damaged(s.path, reasonRecord, fmt.Errorf("subscriber key %x: %d bytes", k, len(v)))
				}
				if recs.Cap() == 0 {
					recs.Grow(min(rebuildChunk*(len(v)+16), 8<<20))
				}
				seqs = append(seqs, be32(k))
				recs.Write(v)
				ends = append(ends, recs.Len())
			}
			return nil
		})
		if err != nil || len(seqs) == 0 {
			return err
		}
		s.trim.streamed(recs.Len())
		batch := <-free
		if cap(batch.subs) < len(seqs) {
			batch.subs = make([]herald.Subscriber, len(seqs))
		}
		batch.subs = batch.subs[:len(seqs)]
		all, start := recs.String(), 0
		for i, seq := range seqs {
			if err := DecodeSubscriberString(seq, all[start:ends[i]], &batch.subs[i], true); err != nil {
				return damaged(s.path, reasonRecord, err)
			}
			start = ends[i]
		}
		batch.n = len(seqs)
		full <- batch
		after, first = seqs[len(seqs)-1], false
		if len(seqs) < rebuildChunk {
			return nil
		}
	}
}
