package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// PruneStepRuns is retention for sequences: it deletes the step runs that
// finished before cutoff and whose people have moved on, with their
// per-recipient records, one transaction per step. Their sent and failed
// counts are kept on the step broadcast (StepOf.Pruned), so /sequences'
// totals do not change; taps and clicks are the broadcast's and stay. It
// returns how many runs it deleted.
func (s *Store) PruneStepRuns(cutoff time.Time) (int, error) {
	var bids []string
	err := s.view("list step broadcasts", func(tx *bolt.Tx) error {
		all, err := allSequences(tx)
		for _, q := range all {
			for _, st := range q.Steps {
				bids = append(bids, st.BroadcastID)
			}
		}
		return err
	})
	if err != nil {
		return 0, err
	}
	pruned := 0
	for _, bid := range bids {
		err := s.update("prune step runs of "+bid, func(tx *bolt.Tx) error {
			n, err := pruneStepRunsTx(tx, bid, cutoff)
			pruned += n
			return err
		})
		if err != nil {
			return pruned, err
		}
	}
	return pruned, nil
}

func pruneStepRunsTx(tx *bolt.Tx, bid string, cutoff time.Time) (int, error) {
	var b herald.Broadcast
	if err := getJSON(tx.Bucket(bucketBroadcasts), []byte(bid), &b); errors.Is(err, herald.ErrNotFound) || err == nil && b.Step == nil {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	runs, dels, moving := tx.Bucket(bucketRuns), tx.Bucket(bucketDeliveries), tx.Bucket(bucketSeqRuns)
	prefix := []byte(bid + "/")
	var old [][]byte
	c := runs.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		var r herald.Run
		if err := json.Unmarshal(v, &r); err != nil {
			return 0, fmt.Errorf("run of %s: %w", bid, err)
		}
		if PruneStepRun(&b, &r, cutoff, moving.Get([]byte(r.ID)) != nil) {
			old = append(old, bytes.Clone(k))
		}
	}
	for _, k := range old {
		if err := runs.Delete(k); err != nil {
			return 0, err
		}
		if err := dels.DeleteBucket(k); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return 0, err
		}
	}
	if len(old) == 0 {
		return 0, nil
	}
	return len(old), putJSON(tx.Bucket(bucketBroadcasts), []byte(bid), &b)
}
