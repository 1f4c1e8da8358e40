package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// Link clicks are counted like taps (see tap.go), in buckets of their own
// made on the first click: per broadcast button a total and a unique
// count, and who clicked as keys (broadcast 0x00 button 0x00 Seq, 4 bytes
// big-endian) so Unique stays exact across restarts and the audience index
// can read the clickers back as subscriber numbers; each key's value is
// the time of that first click (response_timeline.go).
var (
	bucketClicks     = []byte("clicks")      // broadcast 0x00 button → counts
	bucketClickUsers = []byte("click_users") // broadcast 0x00 button 0x00 Seq → first click's time
	keyClickSecret   = []byte("click_secret")
)

// ClickSecret returns the key that signs tracked links, generating it on
// the first call: it lives in the database so links sent before a restart
// (or by another instance of the same file) still resolve.
func (s *Store) ClickSecret() ([]byte, error) {
	var key []byte
	err := s.update("read click secret", func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyClickSecret); len(v) == ClickSecretSize {
			key = append([]byte(nil), v...)
			return nil
		}
		var err error
		if key, err = NewClickSecret(); err != nil {
			return err
		}
		return meta.Put(keyClickSecret, key)
	})
	return key, err
}

// RecordClicks adds link clicks to their broadcasts' per-button counts, in
// one transaction: a burst is written in batches (handlers/clicks).
func (s *Store) RecordClicks(clicks []herald.Click) error {
	if err := s.ensureIndex(); err != nil {
		return err
	}
	var first []response
	err := s.update(fmt.Sprintf("record %d clicks", len(clicks)), func(tx *bolt.Tx) error {
		first = first[:0]
		counts, err := tx.CreateBucketIfNotExists(bucketClicks)
		if err != nil {
			return err
		}
		users, err := tx.CreateBucketIfNotExists(bucketClickUsers)
		if err != nil {
			return err
		}
		for i := range clicks {
			c := &clicks[i]
			k := []byte(c.BroadcastID + "\x00" + c.ButtonID)
			isFirst, err := countOnce(counts, users, k, binary.BigEndian.AppendUint32(nil, c.Seq), c.At)
			if err != nil {
				return err
			}
			if isFirst {
				first = append(first, response{c.BroadcastID, c.ButtonID, c.Seq})
			}
		}
		return nil
	})
	if err == nil {
		s.indexResponses(first)
	}
	return err
}

// Clicks returns a broadcast's link clicks per button, by button ID.
func (s *Store) Clicks(broadcastID string) ([]herald.TapCount, error) {
	return s.counts(bucketClicks, "read clicks of "+broadcastID, broadcastID)
}

// Clickers returns the subscriber numbers (Seq) who clicked a link of the
// broadcast: of button buttonID only, or of any when it is empty.
func (s *Store) Clickers(broadcastID, buttonID string) ([]uint32, error) {
	var out []uint32
	prefix := []byte(broadcastID + "\x00")
	if buttonID != "" {
		prefix = append(prefix, buttonID+"\x00"...)
	}
	err := s.view("read clickers of "+broadcastID, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketClickUsers)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			if len(k) >= 4 {
				out = append(out, binary.BigEndian.Uint32(k[len(k)-4:]))
			}
		}
		return nil
	})
	return out, err
}

// ButtonReach returns, per button ID of a broadcast, how many different
// subscribers tapped it (action buttons) or clicked it (tracked links) on
// each platform: /stats breaks a button's reach down by channel.
func (s *Store) ButtonReach(broadcastID string) (map[string]map[herald.Account]int, error) {
	out := Reach{}
	add := out.Add
	prefix := []byte(broadcastID + "\x00")
	err := s.view("read button reach of "+broadcastID, func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketTapUsers).Cursor()
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix); k, _ = c.Next() {
			button, who, _ := bytes.Cut(k[len(prefix):], []byte{0})
			key, err := herald.ParseSubscriberKey(string(who)) // "line:U1" or "line@shop:U1"
			if err != nil {
				continue
			}
			add(string(button), key.AccountOf())
		}
		users := tx.Bucket(bucketClickUsers)
		if users == nil {
			return nil
		}
		subs := tx.Bucket(bucketSubscribers)
		c = users.Cursor()
		var sub herald.Subscriber
		for k, _ := c.Seek(prefix); k != nil && hasPrefix(k, prefix) && len(k) >= len(prefix)+5; k, _ = c.Next() {
			seq := k[len(k)-4:]
			button := k[len(prefix) : len(k)-5]
			v := subs.Get(seq)
			if v == nil || DecodeSubscriber(binary.BigEndian.Uint32(seq), v, &sub) != nil {
				continue // since deleted: no channel to count them on
			}
			add(string(button), sub.AccountOf())
		}
		return nil
	})
	return out, err
}
