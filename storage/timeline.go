package storage

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// A run's timeline is a bucket "minutes" beside its delivery records:
// key = Unix minute (4 bytes BE) + platform, value = two uvarints (sent,
// failed). RecordOutcomes moves it in the same transaction as the Tally,
// from a record's old outcome and time to its new ones, so it stays exact
// when an outcome is recorded twice or changes.
var bucketMinutes = []byte("minutes")

// minuteKey names one platform's counts in one minute.
type minuteKey struct {
	minute   uint32
	platform herald.Platform
}

// timelineDelta gathers a transaction's changes to a run's timeline, so a
// group commit writes each minute once.
type timelineDelta map[minuteKey][2]int

// move takes d's old outcome out of its minute and counts its new one.
func (td timelineDelta) move(old, d *herald.Delivery) {
	td.add(old, -1)
	td.add(d, 1)
}

func (td timelineDelta) add(d *herald.Delivery, n int) {
	col := 0
	switch {
	case d.At.IsZero():
		return
	case d.Outcome == herald.Sent:
	case d.Outcome == herald.Failed:
		col = 1
	default:
		return
	}
	k := minuteKey{uint32(d.At.Unix() / 60), d.Recipient.Platform}
	v := td[k]
	v[col] += n
	td[k] = v
}

// write adds the changes to the run's timeline bucket under rb.
func (td timelineDelta) write(rb *bolt.Bucket) error {
	if len(td) == 0 {
		return nil
	}
	b, err := rb.CreateBucketIfNotExists(bucketMinutes)
	if err != nil {
		return err
	}
	for k, dv := range td {
		if dv == [2]int{} {
			continue
		}
		key := append(binary.BigEndian.AppendUint32(nil, k.minute), k.platform...)
		sent, failed := decodeMinute(b.Get(key))
		sent, failed = max(0, sent+dv[0]), max(0, failed+dv[1])
		if err := b.Put(key, binary.AppendUvarint(binary.AppendUvarint(nil, uint64(sent)), uint64(failed))); err != nil {
			return err
		}
	}
	return nil
}

func decodeMinute(v []byte) (sent, failed int) {
	s, n := binary.Uvarint(v)
	if n <= 0 {
		return 0, 0
	}
	f, _ := binary.Uvarint(v[n:])
	return int(s), int(f)
}

// RunTimeline returns a run's sent and failed counts per minute and
// platform, oldest first; empty for a run with no outcome yet (or recorded
// before timelines were kept).
func (s *Store) RunTimeline(runID string) ([]herald.MinuteCount, error) {
	key, err := parseRunID(runID)
	if err != nil {
		return nil, fmt.Errorf("storage: read timeline: %w", err)
	}
	var out []herald.MinuteCount
	err = s.view("read timeline of "+runID, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketRuns).Get(key) == nil {
			return RunNotFound(runID)
		}
		rb := tx.Bucket(bucketDeliveries).Bucket(key)
		if rb == nil || rb.Bucket(bucketMinutes) == nil {
			return nil
		}
		return rb.Bucket(bucketMinutes).ForEach(func(k, v []byte) error {
			if len(k) < 4 {
				return fmt.Errorf("timeline key %x: too short", k)
			}
			sent, failed := decodeMinute(v)
			if sent == 0 && failed == 0 {
				return nil
			}
			out = append(out, herald.MinuteCount{Minute: time.Unix(int64(binary.BigEndian.Uint32(k))*60, 0).UTC(),
				Platform: herald.Platform(k[4:]), Sent: sent, Failed: failed})
			return nil
		})
	})
	return out, err
}
