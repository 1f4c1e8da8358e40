package storage

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// runKey orders a broadcast's runs by number: "<bid>/" then N big-endian.
func runKey(bid string, n int) []byte {
	return binary.BigEndian.AppendUint32([]byte(bid+"/"), uint32(n))
}

// parseRunID reads "<bid>/<n>" into its run key.
func parseRunID(id string) ([]byte, error) {
	bid, n, err := ParseRunID(id)
	if err != nil {
		return nil, err
	}
	return runKey(bid, n), nil
}

// CreateRun stores a new run of a broadcast, assigning ID "<bid>/<n>" and
// N, incrementing the broadcast's Runs in the same transaction, and
// creating its (empty) delivery records.
func (s *Store) CreateRun(r *herald.Run) error { return s.StartRun(r, nil) }

// StartRun is CreateRun with start deciding, in the same transaction,
// whether the broadcast may have the run (and changing its status): a run
// then exists exactly when the broadcast says it is sending, and a pause
// or cancel saved a moment before is seen. start's error aborts both.
func (s *Store) StartRun(r *herald.Run, start func(b *herald.Broadcast) error) error {
	nr := *r
	err := s.update("create run of "+r.BroadcastID, func(tx *bolt.Tx) error { return s.startRunTx(tx, &nr, start) })
	if err == nil {
		*r = nr
	}
	return err
}

// startRunTx is StartRun inside tx.
func (s *Store) startRunTx(tx *bolt.Tx, r *herald.Run, start func(b *herald.Broadcast) error) error {
	bk := tx.Bucket(bucketBroadcasts)
	if start != nil {
		if _, err := s.updateBroadcastTx(tx, r.BroadcastID, start); err != nil {
			return err
		}
	}
	var b herald.Broadcast
	if err := getJSON(bk, []byte(r.BroadcastID), &b); err != nil {
		return err
	}
	NumberRun(r, &b, s.now())
	key := runKey(b.ID, r.N)
	if err := putJSON(bk, []byte(b.ID), &b); err != nil {
		return err
	}
	if err := putJSON(tx.Bucket(bucketRuns), key, r); err != nil {
		return err
	}
	_, err := createDeliveryBuckets(tx.Bucket(bucketDeliveries), key)
	return err
}

// UpdateBroadcastRun changes a broadcast and its last run (nil when it
// has none) in one transaction, so a decision about both (pause, resume,
// cancel, the end of a snapshot) sees one state and leaves one. The rules
// of UpdateBroadcast and UpdateRun apply; fn's error aborts.
func (s *Store) UpdateBroadcastRun(id string, fn func(b *herald.Broadcast, last *herald.Run) error) (herald.Broadcast, error) {
	var b herald.Broadcast
	err := s.update("update broadcast and run "+id, func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		prefix := []byte(id + "/")
		c := runs.Cursor()
		var key []byte
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			key = slices.Clone(k)
		}
		var old, run *herald.Run
		if key != nil {
			old, run = &herald.Run{}, &herald.Run{}
			if err := getJSON(runs, key, old); err != nil {
				return err
			}
			*run = CloneRun(*old)
		}
		var err error
		b, err = s.updateBroadcastTx(tx, id, func(b *herald.Broadcast) error { return fn(b, run) })
		if err != nil || run == nil {
			return err
		}
		KeepRunFields(old, run)
		return putJSON(runs, key, run)
	})
	return b, err
}

// Run returns one run or herald.ErrNotFound.
func (s *Store) Run(id string) (herald.Run, error) {
	var r herald.Run
	key, err := parseRunID(id)
	if err != nil {
		return r, fmt.Errorf("storage: read run: %w", err)
	}
	err = s.view("read run "+id, func(tx *bolt.Tx) error { return getJSON(tx.Bucket(bucketRuns), key, &r) })
	return r, err
}

// UpdateRun reads, changes with fn and writes one run atomically. ID,
// BroadcastID, N, Total and Tally stay storage's (they follow the records).
func (s *Store) UpdateRun(id string, fn func(r *herald.Run) error) (herald.Run, error) {
	var r herald.Run
	key, err := parseRunID(id)
	if err != nil {
		return r, fmt.Errorf("storage: update run: %w", err)
	}
	err = s.update("update run "+id, func(tx *bolt.Tx) error {
		runs := tx.Bucket(bucketRuns)
		var old herald.Run
		if err := getJSON(runs, key, &old); err != nil {
			return err
		}
		r = CloneRun(old)
		if err := fn(&r); err != nil {
			return err
		}
		KeepRunFields(&old, &r)
		return putJSON(runs, key, &r)
	})
	return r, err
}

// RunsOf lists a broadcast's runs, oldest first.
func (s *Store) RunsOf(broadcastID string) ([]herald.Run, error) {
	var out []herald.Run
	prefix := []byte(broadcastID + "/")
	err := s.view("list runs of "+broadcastID, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRuns).Cursor()
		for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
			var r herald.Run
			if err := jsonUnmarshal(v, &r); err != nil {
				return fmt.Errorf("run %s: %w", k, err)
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func cloneTally(t map[herald.Platform]herald.Tally) map[herald.Platform]herald.Tally {
	if t == nil {
		return nil
	}
	c := make(map[herald.Platform]herald.Tally, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

// tallyAdd counts n recipients with outcome o. Held recipients are in no
// column: they are neither pending for the workers nor done (dispatch
// counts them from their records).
func tallyAdd(t *herald.Tally, o herald.Outcome, n int) {
	switch o {
	case herald.Pending:
		t.Pending += n
	case herald.Sent:
		t.Sent += n
	case herald.Failed:
		t.Failed += n
	case herald.Skipped:
		t.Skipped += n
	}
}
