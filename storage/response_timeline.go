package storage

import (
	"bytes"
	"encoding/binary"
	"maps"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// When people responded is kept where it costs nothing more to write: the
// tap_users and click_users keys, written once per subscriber and button,
// hold the Unix second of that first tap or click as a uvarint (5 bytes
// instead of the 1 of present). A click burst writes no extra key, and a
// broadcast's responses over time are read back from the same keys its
// retarget terms are. Records from before this have present, no time:
// they count in totals but not over time.

// firstStamp is the value of a tap_users or click_users key: the time of
// the first tap or click, or present when it is not known.
func firstStamp(at time.Time) []byte {
	unix, ok := ResponseTime(at)
	if !ok {
		return present
	}
	return binary.AppendUvarint(nil, uint64(unix))
}

// stampTime is firstStamp's time; ok is false for present.
func stampTime(v []byte) (unix int64, ok bool) {
	s, n := binary.Uvarint(v)
	if n <= 1 || n != len(v) {
		return 0, false
	}
	return int64(s), true
}

// ResponseTimeline counts, in n bins of width bin from start, the
// subscribers whose first tap of an action button of the broadcast, and
// whose first click of one of its tracked links, fell in each bin. A
// person counts once per kind, at their earliest response to any of its
// buttons; one whose first response came before start (an earlier run of
// a recurring broadcast) is not counted.
func (s *Store) ResponseTimeline(broadcastID string, start time.Time, bin time.Duration, n int) (herald.ResponseTimeline, error) {
	out, err := NewResponseTimeline(broadcastID, start, bin, n)
	if err != nil {
		return out, err
	}
	prefix := []byte(broadcastID + "\x00")
	err = s.view("read responses over time of "+broadcastID, func(tx *bolt.Tx) error {
		binFirsts(out.Taps, tx.Bucket(bucketTapUsers), prefix, start, bin, func(rest []byte) []byte {
			_, who, _ := bytes.Cut(rest, []byte{0}) // button 0x00 subscriber
			return who
		})
		binFirsts(out.Clicks, tx.Bucket(bucketClickUsers), prefix, start, bin, func(rest []byte) []byte {
			return rest[max(0, len(rest)-4):] // button 0x00 Seq
		})
		return nil
	})
	return out, err
}

// binFirsts adds to bins each person's earliest stamped key under prefix
// in users (nil: none yet); who names the person from the key's rest.
func binFirsts(bins []int, users *bolt.Bucket, prefix []byte, start time.Time, bin time.Duration, who func(rest []byte) []byte) {
	if users == nil {
		return
	}
	first := map[string]int64{}
	c := users.Cursor()
	for k, v := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, v = c.Next() {
		at, ok := stampTime(v)
		if !ok {
			continue
		}
		id := string(who(k[len(prefix):]))
		if t, seen := first[id]; !seen || at < t {
			first[id] = at
		}
	}
	BinFirstResponses(bins, start, bin, maps.Values(first))
}
