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
	if err := PrepareDelivery(d); err != nil {
		return err
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
	if err := CheckOutcome(&d); err != nil {
		return "", err
	}
	k := rt.seqKey(d.Seq)
	v := rt.get(rt.all, k)
	if v == nil {
		return "", UnknownDelivery(d.Seq)
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
	// A page comes back whole (the pager's 1,000 records): growing it by
	// append allocated about twice its size, a large part of what a run
	// allocates per recipient.
	out := make([]herald.Delivery, 0, min(max(limit, 0), maxPagePrealloc))
	err = s.view("read deliveries of "+runID, func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketDeliveries).Bucket(key)
		if rb == nil {
			if tx.Bucket(bucketRuns).Get(key) == nil {
				return RunNotFound(runID)
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
	if len(out) == 0 {
		out = nil // none reads as it always did
	}
	return out, err
}

// maxPagePrealloc bounds the room readDeliveries makes up front for a
// page, so a large limit asked of a small run allocates no more than that.
const maxPagePrealloc = 1024

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
