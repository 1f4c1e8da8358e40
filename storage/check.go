package storage

import (
	"encoding/json"
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// CheckReport is what a consistency check found: how many records each
// top-level bucket holds and what is wrong. It exists for `bot check-db`
// and for `bot backup`, which checks every copy it writes.
type CheckReport struct {
	// Kinds are the top-level buckets in name order with their record
	// counts (records in nested buckets, such as each run's deliveries,
	// count for their top-level bucket).
	Kinds []KindCount
	// Problems are one line each, without record data (counts, page and
	// sequence numbers only).
	Problems []string
}

// KindCount is one kind of record and how many the file holds.
type KindCount struct {
	Kind    string
	Records int
}

// maxProblems bounds the problems a report lists; the rest are counted.
const maxProblems = 20

// Check reads every page of the file the store has open and reports its
// records per kind and whatever is inconsistent: bbolt's own check of the
// page structure, plus records that do not decode and subscriber keys
// that point nowhere. It only reads. A page too damaged to read at all is
// a problem in the report, and also the DamagedError returned.
func (s *Store) Check() (CheckReport, error) {
	var rep CheckReport
	err := s.view("check", func(tx *bolt.Tx) error {
		rep = walkRecords(tx)
		// bbolt's check runs in a goroutine of its own, where a fault on a
		// mapped page would kill the process: it runs only once the walk
		// above has read every page it will visit without one.
		more := 0
		for err := range tx.Check(bolt.WithKVStringer(lengthsOnly{})) {
			if len(rep.Problems) < maxProblems {
				rep.Problems = append(rep.Problems, "structure: "+err.Error())
			} else {
				more++
			}
		}
		if more > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("structure: %d more problems", more))
		}
		return nil
	})
	if err != nil {
		rep.Problems = append(rep.Problems, "the file cannot be read to the end")
	}
	return rep, err
}

// CheckFile opens the database at path read-only and checks it (see
// Store.Check). A file that cannot be opened returns Open's error.
func CheckFile(path string) (CheckReport, error) {
	s, err := Open(path, Options{ReadOnly: true, TrimEvery: -1})
	if err != nil {
		return CheckReport{}, err
	}
	defer s.Close()
	return s.Check()
}

// lengthsOnly keeps record data out of bbolt's check messages.
type lengthsOnly struct{}

func (lengthsOnly) KeyToString(k []byte) string   { return strconv.Itoa(len(k)) + "-byte key" }
func (lengthsOnly) ValueToString(v []byte) string { return strconv.Itoa(len(v)) + "-byte value" }

// walkRecords counts every record of every top-level bucket, reading each
// key and value in full (so every leaf and overflow page is touched), and
// checks the records whose format storage owns for good.
func walkRecords(tx *bolt.Tx) CheckReport {
	var rep CheckReport
	bad := map[string]int{}
	seqs := map[uint32]bool{}
	var keyTargets []uint32
	_ = tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		kind := string(name)
		n := countRecords(b, func(k, v []byte) {
			switch kind {
			case string(bucketSubscribers):
				var sub herald.Subscriber
				if len(k) != 4 || uint64(be32(k)) > b.Sequence() || DecodeSubscriber(be32(k), v, &sub) != nil {
					bad[kind]++
				}
				if len(k) == 4 {
					seqs[be32(k)] = true
				}
			case string(bucketSubKeys):
				if len(v) != 4 {
					bad[kind]++
				} else {
					keyTargets = append(keyTargets, be32(v))
				}
			case string(bucketBroadcasts), string(bucketRuns), string(bucketAdmins):
				if !json.Valid(v) {
					bad[kind]++
				}
			}
		})
		rep.Kinds = append(rep.Kinds, KindCount{Kind: kind, Records: n})
		return nil
	})
	for _, k := range rep.Kinds {
		if n := bad[k.Kind]; n > 0 {
			rep.Problems = append(rep.Problems, fmt.Sprintf("%s: %d records cannot be decoded", k.Kind, n))
		}
	}
	dangling := 0
	for _, seq := range keyTargets {
		if !seqs[seq] {
			dangling++
		}
	}
	if dangling > 0 {
		rep.Problems = append(rep.Problems, fmt.Sprintf("subscriber_keys: %d keys point to no subscriber", dangling))
	}
	return rep
}

// countRecords counts the non-bucket records under b, nested buckets
// included, calling fn with each top-level one.
func countRecords(b *bolt.Bucket, fn func(k, v []byte)) int {
	n := 0
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil {
			if nb := b.Bucket(k); nb != nil {
				n += countRecords(nb, func(k, v []byte) {})
				continue
			}
		}
		touch(k)
		touch(v)
		fn(k, v)
		n++
	}
	return n
}

// sink keeps touch's reads from being optimised away.
var sink atomic.Uint32

// touch reads one byte of every 512 of p (and its last), so a value that
// spans pages past the file's end faults here, under guard.
func touch(p []byte) {
	var x byte
	for i := 0; i < len(p); i += 512 {
		x ^= p[i]
	}
	if len(p) > 0 {
		x ^= p[len(p)-1]
	}
	sink.Add(uint32(x))
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
