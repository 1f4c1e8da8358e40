package storage

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// A run's deliveries live in a bucket under bucketDeliveries named by the
// run key, holding:
//   - "all": Seq (4 bytes BE) → binary delivery record;
//   - one index bucket per unfinished or reportable outcome (pending,
//     held, failed, skipped): Seq → nothing.
//
// The index makes "the next 500 pending after Seq X" read exactly those,
// however many were already sent: after a crash, dispatch resumes with
// precisely the records not yet given an outcome. Sent, the bulk, has no
// index (it is only ever listed whole), which keeps the write per outcome
// to one delete from the pending index.
var (
	bucketAll       = []byte("all")
	indexedOutcomes = []herald.Outcome{herald.Pending, herald.Held, herald.Failed, herald.Skipped}
)

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
	runs *bolt.Bucket
	key  []byte
	run  herald.Run
	all  *bolt.Bucket
	rb   *bolt.Bucket
}

func openRunTx(tx *bolt.Tx, runID string) (*runTx, error) {
	key, err := parseRunID(runID)
	if err != nil {
		return nil, err
	}
	rt := &runTx{runs: tx.Bucket(bucketRuns), key: key}
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

func (rt *runTx) count(p herald.Platform, o herald.Outcome, n int) {
	t := rt.run.Tally[p]
	tallyAdd(&t, o, n)
	rt.run.Tally[p] = t
}

// move re-indexes seq from outcome from to outcome to ("" for none).
func (rt *runTx) move(seq []byte, from, to herald.Outcome) error {
	if from == to {
		return nil
	}
	if indexed(from) {
		if err := rt.rb.Bucket([]byte(from)).Delete(seq); err != nil {
			return err
		}
	}
	if indexed(to) {
		return rt.rb.Bucket([]byte(to)).Put(seq, present)
	}
	return nil
}

func (rt *runTx) save() error { return putJSON(rt.runs, rt.key, &rt.run) }

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
		var buf []byte
		for i := range ds {
			d := &ds[i]
			if d.Seq == 0 {
				return fmt.Errorf("delivery to %s: no Seq", d.Recipient)
			}
			if d.Outcome == "" {
				d.Outcome = herald.Pending
			}
			k := u32(d.Seq)
			if rt.all.Get(k) != nil {
				continue
			}
			buf = appendDelivery(nil, d) // bbolt keeps the value until commit: no reuse
			if err := rt.all.Put(k, buf); err != nil {
				return err
			}
			if err := rt.move(k, "", d.Outcome); err != nil {
				return err
			}
			rt.run.Total++
			rt.count(d.Recipient.Platform, d.Outcome, 1)
		}
		return rt.save()
	})
}

// RecordOutcomes writes outcomes for a batch of a run's deliveries in one
// transaction (group commit) and moves the run's Tally from each record's
// old outcome to its new one, so the tally is exact after a crash and
// recording the same outcome twice counts it once. Every Seq must be in
// the run; the recipient stays the one snapshotted.
func (s *Store) RecordOutcomes(runID string, ds []herald.Delivery) error {
	return s.update("record outcomes of "+runID, func(tx *bolt.Tx) error {
		rt, err := openRunTx(tx, runID)
		if err != nil {
			return err
		}
		var (
			buf []byte
			old herald.Delivery
		)
		timeline := timelineDelta{}
		for i := range ds {
			d := ds[i]
			if d.Outcome == "" {
				return fmt.Errorf("delivery %d: no outcome", d.Seq)
			}
			k := u32(d.Seq)
			v := rt.all.Get(k)
			if v == nil {
				return fmt.Errorf("delivery %d: %w", d.Seq, herald.ErrNotFound)
			}
			if err := decodeDelivery(d.Seq, v, &old); err != nil {
				return err
			}
			d.Recipient = old.Recipient
			buf = appendDelivery(nil, &d) // bbolt keeps the value until commit: no reuse
			if err := rt.all.Put(k, buf); err != nil {
				return err
			}
			if err := rt.move(k, old.Outcome, d.Outcome); err != nil {
				return err
			}
			if old.Outcome != d.Outcome {
				rt.count(old.Recipient.Platform, old.Outcome, -1)
				rt.count(old.Recipient.Platform, d.Outcome, 1)
			}
			timeline.move(&old, &d)
		}
		if err := timeline.write(rt.rb); err != nil {
			return err
		}
		return rt.save()
	})
}

// Deliveries returns up to limit (0: all) deliveries of a run with
// Seq > after, in Seq order, filtered by outcome when outcome is not "".
// Pending, held, failed and skipped pages read only matching records.
func (s *Store) Deliveries(runID string, outcome herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
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
		all := rb.Bucket(bucketAll)
		scan := all
		if indexed(outcome) {
			scan = rb.Bucket([]byte(outcome))
		}
		c := scan.Cursor()
		start := binary.BigEndian.AppendUint32(nil, after+1)
		if after == ^uint32(0) {
			return nil
		}
		for k, v := c.Seek(start); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if scan != all {
				v = all.Get(k)
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

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
