package storage

import (
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
)

// subscriberV1 is the version byte of the subscriber format.
const subscriberV1 = 1

var (
	knownPlatforms = []string{string(herald.LINE), string(herald.Telegram), string(herald.Messenger)}
	knownKinds     = []string{string(herald.KindUser), string(herald.KindGroup)}
	knownStates    = []string{string(herald.Subscribed), string(herald.Unsubscribed), string(herald.Blocked)}
)

const (
	flagOperatorChat = 1
	flagImported     = 2
	// flagAccount says a named account's name follows the flags; the
	// default account's records (all those written before accounts
	// existed) have no such field.
	flagAccount = 4
)

// AppendSubscriber encodes s (without Seq, which is the key) onto b: the
// compact record both engines store (bbolt's value, Postgres's record
// column), so the audience index is rebuilt from either as fast.
func AppendSubscriber(b []byte, s *herald.Subscriber) []byte {
	e := encoder{b: append(b, subscriberV1)}
	e.enum(string(s.Platform), knownPlatforms)
	e.str(s.ID)
	e.enum(string(s.Kind), knownKinds)
	e.str(s.Name)
	e.str(s.Locale)
	e.str(s.Timezone)
	e.uvarint(uint64(len(s.Tags)))
	for _, t := range s.Tags {
		e.str(t)
	}
	e.uvarint(uint64(len(s.Attributes)))
	// Sorted so that equal subscribers encode to equal bytes.
	keys := make([]string, 0, len(s.Attributes))
	for k := range s.Attributes {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.str(k)
		e.str(s.Attributes[k])
	}
	e.time(s.FirstSeen)
	e.time(s.LastInteraction)
	e.enum(string(s.State), knownStates)
	var flags uint64
	if s.OperatorChat {
		flags |= flagOperatorChat
	}
	if s.Imported {
		flags |= flagImported
	}
	if s.Account != "" {
		flags |= flagAccount
	}
	e.uvarint(flags)
	if s.Account != "" {
		e.str(s.Account)
	}
	return e.b
}

// DecodeSubscriber overwrites s with the record b stored under seq. Tags
// and Attributes are fresh (never shared with a previous value of s).
func DecodeSubscriber(seq uint32, b []byte, s *herald.Subscriber) error {
	return DecodeSubscriberString(seq, string(b), s, false)
}

// DecodeSubscriberString is DecodeSubscriber over a record already held as
// a string (the index rebuild converts a whole chunk of records at once):
// every string field of s is a substring of rec. With reuse, s's Tags
// array and Attributes map are overwritten in place instead of replaced,
// so a stream of records costs no allocation per record.
func DecodeSubscriberString(seq uint32, rec string, s *herald.Subscriber, reuse bool) error {
	if len(rec) == 0 || rec[0] != subscriberV1 {
		return fmt.Errorf("subscriber %d: unknown record version", seq)
	}
	d := decoder{s: rec, off: 1}
	s.Seq = seq
	s.Platform = herald.Platform(d.enum(knownPlatforms))
	s.ID = d.str()
	s.Kind = herald.SubscriberKind(d.enum(knownKinds))
	s.Name = d.str()
	s.Locale = d.str()
	s.Timezone = d.str()
	tags, attrs := s.Tags[:0], s.Attributes
	if !reuse {
		tags, attrs = nil, nil
	}
	clear(attrs)
	// Reused, an empty Tags or Attributes stays empty but keeps its memory.
	s.Tags, s.Attributes = tags, attrs
	if n := d.uvarint(); n > 0 && n <= uint64(len(rec)) {
		if cap(tags) < int(n) {
			tags = make([]string, 0, n)
		}
		for range n {
			tags = append(tags, d.str())
		}
		s.Tags = tags
	}
	if n := d.uvarint(); n > 0 && n <= uint64(len(rec)) {
		if attrs == nil {
			attrs = make(map[string]string, n)
		}
		for range n {
			k := d.str()
			attrs[k] = d.str()
		}
		s.Attributes = attrs
	}
	s.FirstSeen = d.time()
	s.LastInteraction = d.time()
	s.State = herald.SubscriberState(d.enum(knownStates))
	flags := d.uvarint()
	s.OperatorChat = flags&flagOperatorChat != 0
	s.Imported = flags&flagImported != 0
	s.Account = ""
	if flags&flagAccount != 0 {
		s.Account = d.str()
	}
	if d.err != nil {
		return fmt.Errorf("subscriber %d: %w", seq, d.err)
	}
	return nil
}
