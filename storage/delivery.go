package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// A run's deliveries live in a bucket under bucketDeliveries named by the
// run key, holding:
//   - "all": Seq (4 bytes BE) → binary delivery record;
//   - one index bucket per platform for the pending records,
//     "pending/<platform>": Seq → nothing (schema 3; before, one "pending"
//     index held every platform's);
//   - one index bucket per reportable or waiting outcome (held, failed,
//     skipped): Seq → nothing.
//
// The index makes "the next 500 pending on a platform after Seq X" read
// exactly those, however many were already sent and however many wait on
// other platforms: each channel's pager reads only its own, and after a
// crash dispatch resumes with precisely the records not yet given an
// outcome. Sent, the bulk, has no index (it is only ever listed whole),
// which keeps the write per outcome to one delete from a pending index.
var (
	bucketAll       = []byte("all")
	indexedOutcomes = []herald.Outcome{herald.Held, herald.Failed, herald.Skipped}
)

// pendingPrefix starts the names of the per-platform pending indexes.
const pendingPrefix = "pending/"

// pendingIndex names platform p's pending index in a run's bucket.
func pendingIndex(p herald.Platform) []byte { return []byte(pendingPrefix + string(p)) }

func indexed(o herald.Outcome) bool {
	for _, x := range indexedOutcomes {
		if x == o {
			return true
		}
	}
	return false
}

func createDeliveryBuckets(dels *bolt.Bucket, key []byte) (*bolt.Bucket, error) {
	rb, err := dels.CreateBucketIfNotExists(key)
	if err != nil {
		return nil, err
	}
	if _, err := rb.CreateBucketIfNotExists(bucketAll); err != nil {
		return nil, err
	}
	for _, o := range indexedOutcomes {
		if _, err := rb.CreateBucketIfNotExists([]byte(o)); err != nil {
			return nil, err
		}
	}
	return rb, nil
}

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
	t := rt.run.Tally[k.Platform]
	tallyAdd(&t, o, n)
	rt.run.Tally[k.Platform] = t
	if k.Account != "" {
		if rt.run.AccountTally == nil {
			rt.run.AccountTally = map[string]herald.Tally{}
		}
		name := k.AccountOf().String()
		t := rt.run.AccountTally[name]
		tallyAdd(&t, o, n)
		rt.run.AccountTally[name] = t
	}
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

// AddDeliveries appends snapshot records (normally Pending) to a run in one
// transaction and adds them to the run's Total and Tally. A Seq already in
// the run is left as it is (a snapshot resumed after a crash adds nothing
// twice).
func (s *Store) AddDeliveries(runID string, ds []herald.Delivery) error {
	return s.update("add deliveries to "+runID, func(tx *bolt.Tx) error {
		rt, err := openRunTx(tx, runID)
		if err != nil {
			return err
		}
		for i := range ds {
			if err := rt.add(&ds[i]); err != nil {
				return err
			}
		}
		return rt.save()
	})
}

// add appends one snapshot record (see AddDeliveries).
func (rt *runTx) add(d *herald.Delivery) error {
	if d.Seq == 0 {
		return fmt.Errorf("delivery to %s: no Seq", d.Recipient)
	}
	if d.Outcome == "" {
		d.Outcome = herald.Pending
	}
	if !rt.newestRead {
		if k, _ := rt.all.Cursor().Last(); len(k) == 4 {
			rt.newest = binary.BigEndian.Uint32(k)
		}
		rt.newestRead = true
	}
	k := rt.seqKey(d.Seq)
	if d.Seq <= rt.newest && rt.get(rt.all, k) != nil {
		return nil
	}
	rt.newest = max(rt.newest, d.Seq)
	if err := rt.all.Put(k, rt.encode(d)); err != nil {
		return err
	}
	if err := rt.move(k, d.Recipient.Platform, "", d.Outcome); err != nil {
		return err
	}
	rt.run.Total++
	rt.count(d.Recipient, d.Outcome, 1)
	return nil
}

// RecordOutcomes writes outcomes for a batch of a run's deliveries in one
// transaction (group commit) and moves the run's Tally from each record's
// old outcome to its new one, so the tally is exact after a crash and
// recording the same outcome twice counts it once. Every Seq must be in
// the run; the recipient stays the one snapshotted. An outcome other than
// pending removes the record's in-flight mark (CommitDeliveries).
func (s *Store) RecordOutcomes(runID string, ds []herald.Delivery) error {
	return s.CommitDeliveries(runID, nil, ds)
}

// record writes one outcome (see RecordOutcomes) and returns the record's
// platform.
func (rt *runTx) record(d herald.Delivery) (herald.Platform, error) {
	if d.Outcome == "" {
		return "", fmt.Errorf("delivery %d: no outcome", d.Seq)
	}
	k := rt.seqKey(d.Seq)
	v := rt.get(rt.all, k)
	if v == nil {
		return "", fmt.Errorf("delivery %d: %w", d.Seq, herald.ErrNotFound)
	}
	var old herald.Delivery
	if err := decodeDelivery(d.Seq, v, &old); err != nil {
		return "", err
	}
	p := old.Recipient.Platform
	d.Recipient = old.Recipient
	if err := rt.all.Put(k, rt.encode(&d)); err != nil {
		return "", err
	}
	if err := rt.move(k, p, old.Outcome, d.Outcome); err != nil {
		return "", err
	}
	if old.Outcome != d.Outcome {
		rt.count(old.Recipient, old.Outcome, -1)
		rt.count(old.Recipient, d.Outcome, 1)
	}
	if rt.timeline == nil {
		rt.timeline = timelineDelta{}
	}
	rt.timeline.move(&old, &d)
	if d.Outcome != herald.Pending {
		return p, rt.unmark(k)
	}
	return p, nil
}

// Deliveries returns up to limit (0: all) deliveries of a run with
// Seq > after, in Seq order, filtered by outcome when outcome is not "".
// Pending, held, failed and skipped pages read only matching records.
func (s *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	return s.readDeliveries(runID, after, limit, func(rb *bolt.Bucket) []*bolt.Bucket {
		switch {
		case outcome == herald.Pending:
			return pendingIndexes(rb)
		case indexed(outcome):
			return []*bolt.Bucket{rb.Bucket([]byte(outcome))}
		}
		return nil
	}, outcome)
}

// PendingDeliveries returns up to limit (0: all) pending deliveries of a
// run on platform p with Seq > after, in Seq order, reading only those:
// each channel's pager pages its own.
func (s *Store) PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error) {
	return s.readDeliveries(runID, after, limit, func(rb *bolt.Bucket) []*bolt.Bucket {
		if ix := rb.Bucket(pendingIndex(p)); ix != nil {
			return []*bolt.Bucket{ix}
		}
		return []*bolt.Bucket{}
	}, herald.Pending)
}

// pendingIndexes are a run's per-platform pending indexes.
func pendingIndexes(rb *bolt.Bucket) []*bolt.Bucket {
	out := []*bolt.Bucket{}
	c := rb.Cursor()
	prefix := []byte(pendingPrefix)
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		if v == nil {
			out = append(out, rb.Bucket(k))
		}
	}
	return out
}

// readDeliveries pages a run's records with Seq > after in Seq order:
// those the index buckets chosen by indexes name (merged), or every
// record when it chooses nil; outcome, when not "", filters them.
func (s *Store) readDeliveries(runID string, after uint32, limit int, indexes func(rb *bolt.Bucket) []*bolt.Bucket, outcome herald.Outcome) ([]herald.Delivery, error) {
	key, err := parseRunID(runID)
	if err != nil {
		return nil, fmt.Errorf("storage: read deliveries: %w", err)
	}
	var out []herald.Delivery
	err = s.view("read deliveries of "+runID, func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketDeliveries).Bucket(key)
		if rb == nil {
			if tx.Bucket(bucketRuns).Get(key) == nil {
				return fmt.Errorf("run %s: %w", runID, herald.ErrNotFound)
			}
			return nil
		}
		if after == ^uint32(0) {
			return nil
		}
		all := rb.Bucket(bucketAll)
		scan := indexes(rb)
		whole := scan == nil
		if whole {
			scan = []*bolt.Bucket{all}
		}
		records := all.Cursor() // one for the page: a Get makes a cursor each
		keys := newSeqMerge(scan, binary.BigEndian.AppendUint32(nil, after+1))
		for k, v := keys.next(); k != nil && (limit <= 0 || len(out) < limit); k, v = keys.next() {
			if !whole {
				if rk, rv := records.Seek(k); bytes.Equal(rk, k) {
					v = rv
				} else {
					v = nil
				}
			}
			seq := binary.BigEndian.Uint32(k)
			var d herald.Delivery
			if err := decodeDelivery(seq, v, &d); err != nil {
				return err
			}
			if outcome == "" || d.Outcome == outcome {
				out = append(out, d)
			}
		}
		return nil
	})
	return out, err
}

// seqMerge walks the keys of several Seq-keyed buckets together, in Seq
// order.
type seqMerge struct {
	cs     []*bolt.Cursor
	ks, vs [][]byte
}

func newSeqMerge(bs []*bolt.Bucket, start []byte) *seqMerge {
	m := &seqMerge{cs: make([]*bolt.Cursor, len(bs)), ks: make([][]byte, len(bs)), vs: make([][]byte, len(bs))}
	for i, b := range bs {
		m.cs[i] = b.Cursor()
		m.ks[i], m.vs[i] = m.cs[i].Seek(start)
	}
	return m
}

// next is the lowest key not yet walked and its value; nil at the end.
func (m *seqMerge) next() ([]byte, []byte) {
	low := -1
	for i, k := range m.ks {
		if k != nil && (low < 0 || bytes.Compare(k, m.ks[low]) < 0) {
			low = i
		}
	}
	if low < 0 {
		return nil, nil
	}
	k, v := m.ks[low], m.vs[low]
	m.ks[low], m.vs[low] = m.cs[low].Next()
	return k, v
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
