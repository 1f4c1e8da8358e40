package storage

import (
	"bytes"
	"fmt"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	bolt "go.etcd.io/bbolt"
)

// Retarget terms (tapped:B-7K2Q) ask who tapped or clicked a broadcast's
// button. The tap_users and click_users buckets already name them; the
// audience index keeps the same as bitmaps by Seq, filled from those
// buckets when it is built and from each commit's first taps and clicks.

// response is one subscriber's first tap or click on a broadcast button.
type response struct {
	broadcast, button string
	seq               uint32
}

// indexResponses hands committed first taps and clicks to the index.
func (s *Store) indexResponses(rs []response) {
	if s.index == nil {
		return
	}
	for _, r := range rs {
		s.index.AddResponse(r.broadcast, r.button, r.seq)
	}
}

// loadResponses adds every stored tap and click to a new index. A tap by a
// subscriber since deleted (no Seq any more) is left out.
func (s *Store) loadResponses(x *audience.Index) error {
	return s.view("read responses", func(tx *bolt.Tx) error {
		return eachResponse(tx, "", func(r response) { x.AddResponse(r.broadcast, r.button, r.seq) })
	})
}

// eachResponse calls fn for every subscriber's tap or click on a button of
// broadcast broadcastID (every broadcast when it is "").
func eachResponse(tx *bolt.Tx, broadcastID string, fn func(response)) error {
	var prefix []byte
	if broadcastID != "" {
		prefix = []byte(broadcastID + "\x00")
	}
	keys := tx.Bucket(bucketSubKeys)
	if b := tx.Bucket(bucketTapUsers); b != nil {
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			parts := bytes.SplitN(k, []byte{0}, 3)
			if len(parts) != 3 {
				continue
			}
			if v := keys.Get(parts[2]); len(v) == 4 {
				fn(response{string(parts[0]), string(parts[1]), be32(v)})
			}
		}
	}
	if b := tx.Bucket(bucketClickUsers); b != nil {
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) < 6 {
				continue
			}
			id, button, ok := bytes.Cut(k[:len(k)-5], []byte{0})
			if !ok || k[len(k)-5] != 0 {
				continue
			}
			fn(response{string(id), string(button), be32(k[len(k)-4:])})
		}
	}
	return nil
}

// Responders returns the subscriber numbers (Seq) who tapped or clicked a
// button of a broadcast (any of its buttons when buttonID is ""), read from
// the database rather than the index: the reference the index's retarget
// counts are checked against, and the roster's audit of a retarget.
func (s *Store) Responders(broadcastID, buttonID string) (map[uint32]bool, error) {
	out := map[uint32]bool{}
	err := s.view("read responders of "+broadcastID, func(tx *bolt.Tx) error {
		return eachResponse(tx, broadcastID, func(r response) {
			if buttonID == "" || r.button == buttonID {
				out[r.seq] = true
			}
		})
	})
	if err != nil {
		return nil, fmt.Errorf("storage: responders of %s: %w", broadcastID, err)
	}
	return out, nil
}

// Responded answers retarget terms from the in-memory index, for matching
// one subscriber at a time (herald.Audience.MatchesWith).
func (s *Store) Responded() herald.RespondedFunc {
	if err := s.ensureIndex(); err != nil {
		return nil
	}
	return func(sub *herald.Subscriber, broadcastID, buttonID string) bool {
		return s.index.Responded(broadcastID, buttonID, sub.Seq)
	}
}
