package storage

import (
	"bytes"
	"encoding/binary"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// runTx is one run's records inside a write transaction.
type runTx struct {
	runs    *bolt.Bucket
	key     []byte
	run     herald.Run
	all     *bolt.Bucket
	rb      *bolt.Bucket
	pending map[herald.Platform]*bolt.Bucket // opened so far
	marks   *bolt.Bucket                     // the in-flight index, once opened
	// cursors are reused by get and del for every record of the
	// transaction: bbolt's Get and Delete make a cursor, and grow its
	// stack, on every call.
	cursors map[*bolt.Bucket]*bolt.Cursor
	// timeline gathers the per-minute chart counts this transaction moves;
	// save writes each minute once.
	timeline timelineDelta
	// enc is where records are encoded (encode); seq is the Seq being
	// written, as a key (bbolt copies the keys it keeps).
	enc []byte
	seq [4]byte
	// newest is the highest Seq in the run once newestRead: a snapshot
	// appends in Seq order after it, so a Seq above it is new without a look.
	newest     uint32
	newestRead bool
}

// encode is appendDelivery into the transaction's blocks: bbolt keeps a
// value until commit, so a block is never written over, only replaced
// when full; one allocation per few hundred records instead of several
// each (a group commit's growing of each record's buffer was a tenth of
// its cost).
func (rt *runTx) encode(d *herald.Delivery) []byte {
	if cap(rt.enc)-len(rt.enc) < 256 {
		rt.enc = make([]byte, 0, encodeBlock)
	}
	start := len(rt.enc)
	rt.enc = appendDelivery(rt.enc, d)
	return rt.enc[start:len(rt.enc):len(rt.enc)]
}

// seqKey is seq as a key in the transaction's own buffer, valid until
// the next call.
func (rt *runTx) seqKey(seq uint32) []byte {
	return binary.BigEndian.AppendUint32(rt.seq[:0], seq)
}

func openRunTx(tx *bolt.Tx, runID string) (*runTx, error) {
	key, err := parseRunID(runID)
	if err != nil {
		return nil, err
	}
	rt := &runTx{runs: tx.Bucket(bucketRuns), key: key, pending: map[herald.Platform]*bolt.Bucket{}}
	if err := getJSON(rt.runs, key, &rt.run); err != nil {
		return nil, err
	}
	if rt.rb, err = createDeliveryBuckets(tx.Bucket(bucketDeliveries), key); err != nil {
		return nil, err
	}
	rt.all = rt.rb.Bucket(bucketAll)
	rt.all.FillPercent = appendFill
	for _, o := range indexedOutcomes {
		rt.rb.Bucket([]byte(o)).FillPercent = appendFill
	}
	if rt.run.Tally == nil {
		rt.run.Tally = map[herald.Platform]herald.Tally{}
	}
	return rt, nil
}

func (rt *runTx) count(k herald.SubscriberKey, o herald.Outcome, n int) {
	CountDelivery(&rt.run, k, o, n)
}

// move re-indexes seq, a record on platform p, from outcome from to
// outcome to ("" for none).
func (rt *runTx) move(seq []byte, p herald.Platform, from, to herald.Outcome) error {
	if from == to {
		return nil
	}
	ix, err := rt.index(p, from)
	if err != nil {
		return err
	}
	if ix != nil {
		if err := rt.del(ix, seq); err != nil {
			return err
		}
	}
	if ix, err = rt.index(p, to); err != nil || ix == nil {
		return err
	}
	return ix.Put(seq, present)
}

// cursor is the transaction's cursor on b.
func (rt *runTx) cursor(b *bolt.Bucket) *bolt.Cursor {
	c := rt.cursors[b]
	if c == nil {
		if rt.cursors == nil {
			rt.cursors = map[*bolt.Bucket]*bolt.Cursor{}
		}
		c = b.Cursor()
		rt.cursors[b] = c
	}
	return c
}

// get is b.Get(k) through the transaction's cursor on b.
func (rt *runTx) get(b *bolt.Bucket, k []byte) []byte {
	key, v := rt.cursor(b).Seek(k)
	if !bytes.Equal(key, k) {
		return nil
	}
	return v
}

// del is b.Delete(k) through the transaction's cursor on b.
func (rt *runTx) del(b *bolt.Bucket, k []byte) error {
	c := rt.cursor(b)
	if key, _ := c.Seek(k); !bytes.Equal(key, k) {
		return nil
	}
	return c.Delete()
}

// index is the index bucket of outcome o for records on platform p, or
// nil when o has none.
func (rt *runTx) index(p herald.Platform, o herald.Outcome) (*bolt.Bucket, error) {
	switch {
	case o == herald.Pending:
		if b := rt.pending[p]; b != nil {
			return b, nil
		}
		b, err := rt.rb.CreateBucketIfNotExists(pendingIndex(p))
		if err != nil {
			return nil, err
		}
		b.FillPercent = appendFill
		rt.pending[p] = b
		return b, nil
	case indexed(o):
		return rt.rb.Bucket([]byte(o)), nil
	}
	return nil, nil
}

func (rt *runTx) save() error {
	if err := rt.timeline.write(rt.rb); err != nil {
		return err
	}
	return putJSON(rt.runs, rt.key, &rt.run)
}
