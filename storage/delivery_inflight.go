package storage

import (
	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// bucketInFlight, in a run's bucket, indexes the pending records whose
// send has started: Seq → nothing. Dispatch marks a chunk of recipients
// before their requests leave, in the group commit that also writes
// earlier outcomes; an outcome removes the mark in the same transaction.
// The marks left after a crash are the recipients whose outcome is
// unknown: they may have the message already (InFlight).
var bucketInFlight = []byte("inflight")

// inFlight is the run's in-flight index, created when create is set (nil
// when it does not exist yet and create is not set).
func (rt *runTx) inFlight(create bool) (*bolt.Bucket, error) {
	if rt.marks != nil || !create {
		if rt.marks == nil {
			rt.marks = rt.rb.Bucket(bucketInFlight)
		}
		return rt.marks, nil
	}
	b, err := rt.rb.CreateBucketIfNotExists(bucketInFlight)
	if err != nil {
		return nil, err
	}
	b.FillPercent = appendFill
	rt.marks = b
	return b, nil
}

// unmark removes the in-flight mark of the record keyed k, if any.
func (rt *runTx) unmark(k []byte) error {
	b, err := rt.inFlight(false)
	if err != nil || b == nil {
		return err
	}
	return rt.del(b, k)
}

// CommitDeliveries is one group commit of a run's records: it marks the
// records started (Seqs the caller read as pending and is about to send)
// as in flight, then writes the outcomes ds as RecordOutcomes does, in one
// transaction. A crash after it leaves every started record either with
// an outcome or with its mark.
func (s *Store) CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error {
	return s.update("commit deliveries of "+runID, func(tx *bolt.Tx) error {
		rt, err := openRunTx(tx, runID)
		if err != nil {
			return err
		}
		if len(started) > 0 {
			b, err := rt.inFlight(true)
			if err != nil {
				return err
			}
			for _, seq := range started {
				if err := b.Put(rt.seqKey(seq), present); err != nil {
					return err
				}
			}
		}
		for i := range ds {
			if _, err := rt.record(ds[i]); err != nil {
				return err
			}
		}
		return rt.save()
	})
}

// InFlight returns a run's pending records marked in flight, in Seq
// order: after a crash, the recipients whose send started and whose
// outcome was never recorded.
func (s *Store) InFlight(runID string) ([]herald.Delivery, error) {
	return s.readDeliveries(runID, 0, 0, func(rb *bolt.Bucket) []*bolt.Bucket {
		if b := rb.Bucket(bucketInFlight); b != nil {
			return []*bolt.Bucket{b}
		}
		return []*bolt.Bucket{}
	}, herald.Pending)
}

// SettleInFlight removes the in-flight marks of ds and records the
// outcome of each that is not pending (a pending one is sent again), in
// one transaction. When uncertain is set, each is also counted in its
// platform's Tally.Uncertain: a resumed run settling what a crash left
// unknown. Unset, the marks were of records never sent (a run that
// stopped before handing them out).
func (s *Store) SettleInFlight(runID string, ds []herald.Delivery, uncertain bool) error {
	return s.update("settle in-flight deliveries of "+runID, func(tx *bolt.Tx) error {
		rt, err := openRunTx(tx, runID)
		if err != nil {
			return err
		}
		for i := range ds {
			p, err := rt.record(ds[i])
			if err != nil {
				return err
			}
			if err := rt.unmark(rt.seqKey(ds[i].Seq)); err != nil {
				return err
			}
			if uncertain {
				CountUncertain(&rt.run, p)
			}
		}
		return rt.save()
	})
}
