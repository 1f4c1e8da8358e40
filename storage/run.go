package storage

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// runKey orders a broadcast's runs by number: "<bid>/" then N big-endian.
func runKey(bid string, n int) []byte {
	return binary.BigEndian.AppendUint32([]byte(bid+"/"), uint32(n))
}

// parseRunID reads "<bid>/<n>" into its run key.
func parseRunID(id string) ([]byte, error) {
	i := strings.LastIndexByte(id, '/')
	if i <= 0 {
		return nil, fmt.Errorf("run %q: %w", id, herald.ErrNotFound)
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("run %q: %w", id, herald.ErrNotFound)
	}
	return runKey(id[:i], n), nil
}

// CreateRun stores a new run of a broadcast, assigning ID "<bid>/<n>" and
// N, incrementing the broadcast's Runs in the same transaction, and
// creating its (empty) delivery records.
func (s *Store) CreateRun(r *herald.Run) error {
	nr := *r
	err := s.update("create run of "+r.BroadcastID, func(tx *bolt.Tx) error {
		bk := tx.Bucket(bucketBroadcasts)
		var b herald.Broadcast
		if err := getJSON(bk, []byte(nr.BroadcastID), &b); err != nil {
			return err
		}
		b.Runs++
		nr.N = b.Runs
		nr.ID = fmt.Sprintf("%s/%d", b.ID, nr.N)
		if nr.Status == "" {
			nr.Status = herald.RunSnapshotting
		}
		if nr.StartedAt.IsZero() {
			nr.StartedAt = s.now().UTC()
		}
		key := runKey(b.ID, nr.N)
		if err := putJSON(bk, []byte(b.ID), &b); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bucketRuns), key, &nr); err != nil {
			return err
		}
		_, err := createDeliveryBuckets(tx.Bucket(bucketDeliveries), key)
		return err
	})
	if err == nil {
		*r = nr
	}
	return err
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
		r = old
		r.Tally = cloneTally(old.Tally)
		if err := fn(&r); err != nil {
			return err
		}
		r.ID, r.BroadcastID, r.N, r.Total, r.Tally = old.ID, old.BroadcastID, old.N, old.Total, old.Tally
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
