package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// bucketSeen remembers the platforms' IDs of the end-user events applied
// lately, so that a redelivered webhook (LINE's isRedelivery, a retry after
// a timeout, Telegram updates fetched again after a crash) is applied once.
// It holds one nested bucket per seenSlot of time, named by the slot's
// start (Unix seconds, 8 bytes big-endian), whose keys are event IDs: a
// lookup reads the few slots, and expiry drops a whole slot at once, inside
// the write that notices it, instead of deleting IDs one by one.
var bucketSeen = []byte("seen_events")

// seenSlot is the time one nested bucket covers: an ID is forgotten between
// SeenWindow and SeenWindow+seenSlot after it was recorded.
const seenSlot = SeenWindow / 6

// RecordInbound applies one group commit of end users' events in one
// transaction. Event i has the platform's ID ids[i] ("" for none), changes
// the subscriber keys[i] through update(i, …) (a zero key: none) and counts
// the tap taps[i] (a zero Tap: none). An event whose ID was recorded within
// SeenWindow, or earlier in the same batch, is a repeat: nothing of it is
// applied, and repeat[i] says so. The check, the changes and the record of
// the IDs commit together, so a crash never leaves an event applied but
// not remembered, or remembered but not applied.
func (s *Store) RecordInbound(ids []string, keys []herald.SubscriberKey, taps []herald.Tap,
	update func(i int, sub *herald.Subscriber, created bool) error) (repeat []bool, err error) {
	if err := CheckInbound(ids, keys, taps); err != nil {
		return nil, err
	}
	if err := s.ensureIndex(); err != nil {
		return nil, err
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	repeat = make([]bool, len(ids))
	var changes []change
	var first []response
	err = s.update(fmt.Sprintf("record %d inbound events", len(ids)), func(tx *bolt.Tx) error {
		clear(repeat)
		seen, err := s.openSeen(tx)
		if err != nil {
			return err
		}
		var subKeys []herald.SubscriberKey
		var subEvent []int
		var counted []herald.Tap
		for i, id := range ids {
			if id != "" {
				if repeat[i] = seen.has(id); repeat[i] {
					continue
				}
				if err := seen.add(id); err != nil {
					return err
				}
			}
			if keys[i] != (herald.SubscriberKey{}) {
				subKeys, subEvent = append(subKeys, keys[i]), append(subEvent, i)
			}
			if taps[i].BroadcastID != "" {
				counted = append(counted, taps[i])
			}
		}
		changes, _, err = s.putSubscribers(tx, subKeys, func(k int, sub *herald.Subscriber, created bool) error {
			return update(subEvent[k], sub, created)
		})
		if err != nil {
			return err
		}
		if err := noteInbound(tx, &s.notesWritten, changes, counted); err != nil {
			return err
		}
		first, err = recordTaps(tx, counted)
		return err
	})
	s.tellNotes()
	if err != nil {
		return nil, err
	}
	s.indexChanges(changes)
	s.indexResponses(first)
	return repeat, nil
}

// seenSet is the seen-event slots of one write transaction.
type seenSet struct {
	top    *bolt.Bucket
	curKey []byte         // the slot new IDs go into…
	cur    *bolt.Bucket   // …once it exists
	slots  []*bolt.Cursor // every slot, cur included
	kb     []byte
}

// openSeen drops the slots older than SeenWindow+seenSlot and opens the
// others.
func (s *Store) openSeen(tx *bolt.Tx) (*seenSet, error) {
	top, err := tx.CreateBucketIfNotExists(bucketSeen)
	if err != nil {
		return nil, err
	}
	now, slot := s.now().Unix(), int64(seenSlot/time.Second)
	var expired, live [][]byte
	c := top.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v != nil || len(k) != 8 {
			continue // not a slot
		}
		if start := int64(binary.BigEndian.Uint64(k)); start+slot+int64(SeenWindow/time.Second) <= now {
			expired = append(expired, slices.Clone(k))
		} else {
			live = append(live, slices.Clone(k))
		}
	}
	for _, k := range expired {
		if err := top.DeleteBucket(k); err != nil {
			return nil, fmt.Errorf("forget seen events: %w", err)
		}
	}
	set := &seenSet{top: top, curKey: u64(uint64(now - now%slot))}
	for _, k := range live {
		set.slots = append(set.slots, top.Bucket(k).Cursor())
		if bytes.Equal(k, set.curKey) {
			set.cur = top.Bucket(k)
		}
	}
	return set, nil
}

// key is id as stored: as is, or its SHA-256 when long.
func (set *seenSet) key(id string) []byte { return AppendSeenKey(set.kb[:0], id) }

// has reports whether id is in any slot. Each lookup seeks afresh, so a
// Put between lookups does not disturb the cursors.
func (set *seenSet) has(id string) bool {
	set.kb = set.key(id)
	for _, c := range set.slots {
		if k, _ := c.Seek(set.kb); bytes.Equal(k, set.kb) {
			return true
		}
	}
	return false
}

// add records id in the current slot, creating it for its first ID.
func (set *seenSet) add(id string) error {
	if set.cur == nil {
		b, err := set.top.CreateBucket(set.curKey)
		if err != nil {
			return fmt.Errorf("start a slot of seen events: %w", err)
		}
		set.cur = b
		set.slots = append(set.slots, b.Cursor())
	}
	return set.cur.Put(slices.Clone(set.key(id)), present)
}
