package storage

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heraldbot/herald"
)

// The subscriber rules both engines follow (bbolt here, PostgreSQL in
// storage/postgres): what a write may change, how a move merges two
// records, how /find and the tag list answer. Only reading and writing
// the records differs between the engines.

// MaxMoveHops bounds how far Subscriber follows moves (a chain a→b→c is
// possible in principle; a loop is not, but a corrupt store must not hang).
const MaxMoveHops = 8

// SubscriberValidator is herald.Subscriber.Validate with the time-zone
// check remembered: it loads the zone from disk on every call, which was
// half the cost of an upsert. Only valid zones are remembered, so the set
// is bounded by the IANA list. The zero value is ready to use.
type SubscriberValidator struct{ zones sync.Map }

// Validate checks sub as sub.Validate does.
func (v *SubscriberValidator) Validate(sub *herald.Subscriber) error {
	tz := sub.Timezone
	if _, known := v.zones.Load(tz); tz != "" && known {
		c := *sub
		c.Timezone = ""
		return c.Validate()
	}
	if err := sub.Validate(); err != nil {
		return err
	}
	if tz != "" {
		v.zones.Store(tz, struct{}{})
	}
	return nil
}

// ChangeSubscriber is one subscriber write: old is the stored record of
// key (nil when there is none, and then fn gets a new subscriber with
// created=true, first seen now), fn changes a copy, and the result is
// validated. The key and Seq are storage's: fn may not move a subscriber.
// The result's Seq is old's, or 0 for the engine to assign.
func ChangeSubscriber(key herald.SubscriberKey, old *herald.Subscriber, now time.Time, v *SubscriberValidator,
	fn func(sub *herald.Subscriber, created bool) error) (*herald.Subscriber, error) {
	created := old == nil
	sub := &herald.Subscriber{Platform: key.Platform, Account: key.Account, ID: key.ID, FirstSeen: now, State: herald.Subscribed}
	if !created {
		*sub = CloneSubscriber(old)
	}
	if err := fn(sub, created); err != nil {
		return nil, err
	}
	sub.Platform, sub.Account, sub.ID = key.Platform, key.Account, key.ID
	sub.Seq = 0
	if !created {
		sub.Seq = old.Seq
	}
	sub.SetTags(sub.Tags)
	if err := v.Validate(sub); err != nil {
		return nil, fmt.Errorf("subscriber %s: %w", key, err)
	}
	return sub, nil
}

// SubscriberWriter is an engine's one write path for subscribers: read
// or create each keys[i], let fn change it (storage.ChangeSubscriber),
// write it, commit, then bring the index up to date; done, when not nil,
// gets each key's record as written. The public writes are made of it.
type SubscriberWriter func(what string, keys []herald.SubscriberKey,
	fn func(i int, sub *herald.Subscriber, created bool) error, done func(i int, sub *herald.Subscriber)) error

// PutSubscribers inserts or replaces subscribers in one transaction,
// keeping Seq and FirstSeen of existing ones. The Seq (and FirstSeen) each
// one got is written back into subs.
func (w SubscriberWriter) PutSubscribers(subs []herald.Subscriber) error {
	keys := make([]herald.SubscriberKey, len(subs))
	for i := range subs {
		keys[i] = subs[i].Key()
	}
	return w("put subscribers", keys, func(i int, sub *herald.Subscriber, created bool) error {
		seq, first := sub.Seq, sub.FirstSeen
		*sub = subs[i]
		sub.Seq = seq
		if !created || sub.FirstSeen.IsZero() {
			sub.FirstSeen = first
		}
		return nil
	}, func(i int, sub *herald.Subscriber) { subs[i].Seq, subs[i].FirstSeen = sub.Seq, sub.FirstSeen })
}

// UpdateSubscriber reads (or creates, with created=true) the subscriber at
// key, applies fn and writes it back, in one transaction.
func (w SubscriberWriter) UpdateSubscriber(key herald.SubscriberKey, fn func(sub *herald.Subscriber, created bool) error) (herald.Subscriber, error) {
	var out herald.Subscriber
	err := w("update subscriber "+key.String(), []herald.SubscriberKey{key},
		func(_ int, sub *herald.Subscriber, created bool) error { return fn(sub, created) },
		func(_ int, sub *herald.Subscriber) { out = *sub })
	return out, err
}

// UpdateSubscribers is UpdateSubscriber for many keys in one transaction
// (webhook bursts); fn gets the index into keys. The same key may appear
// twice: the second call sees the first one's changes.
func (w SubscriberWriter) UpdateSubscribers(keys []herald.SubscriberKey, fn func(i int, sub *herald.Subscriber, created bool) error) error {
	return w(fmt.Sprintf("update %d subscribers", len(keys)), keys, fn, nil)
}

// SeqIterator is the index's match as EachRecipient walks it.
type SeqIterator interface {
	HasNext() bool
	Next() uint32
}

// EachRecipient streams the subscribers whose Seqs seqs names, chunk Seqs
// per read: read calls each with every record it finds of them, in Seq
// order. A subscriber deleted or made unreachable since the match is left
// out (read does not find the one, each skips the other).
func EachRecipient(seqs SeqIterator, chunk int, read func(seqs []uint32, each func(sub *herald.Subscriber) error) error,
	fn func(sub *herald.Subscriber) error) error {
	buf := make([]uint32, 0, chunk)
	each := func(sub *herald.Subscriber) error {
		if !sub.Reachable() {
			return nil
		}
		return fn(sub)
	}
	for seqs.HasNext() {
		buf = buf[:0]
		for len(buf) < chunk && seqs.HasNext() {
			buf = append(buf, seqs.Next())
		}
		if err := read(buf, each); err != nil {
			return err
		}
	}
	return nil
}

// CloneSubscriber copies s with Tags and Attributes of its own.
func CloneSubscriber(s *herald.Subscriber) herald.Subscriber {
	c := *s
	if s.Tags != nil {
		c.Tags = append([]string(nil), s.Tags...)
	}
	if s.Attributes != nil {
		c.Attributes = make(map[string]string, len(s.Attributes))
		for k, v := range s.Attributes {
			c.Attributes[k] = v
		}
	}
	return c
}

// CheckMove refuses what is not a move of one chat to a new ID (see
// MoveSubscriber).
func CheckMove(from, to herald.SubscriberKey) error {
	if from.Platform != to.Platform || from.Account != to.Account || from.ID == to.ID || to.ID == "" {
		return fmt.Errorf("storage: move subscriber %s to %s: not a move", from, to)
	}
	return nil
}

// MovedSubscriber is the record a move leaves under to: old re-keyed when
// cur (the record already under to) is nil, else the two merged into cur.
// The result is validated.
func MovedSubscriber(old, cur *herald.Subscriber, to herald.SubscriberKey, v *SubscriberValidator) (herald.Subscriber, error) {
	var moved herald.Subscriber
	if cur == nil {
		moved = CloneSubscriber(old)
		moved.ID = to.ID
	} else {
		moved = merged(cur, old)
	}
	if err := v.Validate(&moved); err != nil {
		return herald.Subscriber{}, fmt.Errorf("subscriber %s: %w", to, err)
	}
	return moved, nil
}

// merged is cur (the record under the new ID) with what old (the record
// under the old ID) knew and cur does not.
func merged(cur, old *herald.Subscriber) herald.Subscriber {
	m := CloneSubscriber(cur)
	m.AddTags(old.Tags...)
	if len(old.Attributes) > 0 {
		attrs := maps.Clone(old.Attributes)
		maps.Copy(attrs, cur.Attributes)
		m.Attributes = attrs
	}
	if m.Name == "" {
		m.Name = old.Name
	}
	if m.Locale == "" {
		m.Locale = old.Locale
	}
	if m.Timezone == "" {
		m.Timezone = old.Timezone
	}
	if !old.FirstSeen.IsZero() && (m.FirstSeen.IsZero() || old.FirstSeen.Before(m.FirstSeen)) {
		m.FirstSeen = old.FirstSeen
	}
	if old.LastInteraction.After(m.LastInteraction) {
		m.LastInteraction = old.LastInteraction
	}
	// Consent is the group's: a stop said in either chat stands. Blocked
	// is about a chat, and the old one no longer exists.
	if old.State == herald.Unsubscribed {
		m.State = herald.Unsubscribed
	}
	m.OperatorChat = m.OperatorChat || old.OperatorChat
	return m
}

// TooManyMoves is the error when following key's moves gave up after
// MaxMoveHops (notFound joined with why).
func TooManyMoves(key herald.SubscriberKey, notFound error) error {
	return errors.Join(notFound, fmt.Errorf("subscriber %s: more than %d moves", key, MaxMoveHops))
}

// errEnough stops a scan that found what it needs.
var errEnough = errors.New("storage: enough found")

// FindSubscribers is /find over any engine: an exact ID on any platform
// ("U1234", or "line:U1234") first, looked up by get, then those whose
// name contains text (case-insensitive), in Seq order from scan, at most
// limit (0: no limit). Every state is found: an admin looking someone up
// wants to see that they blocked the bot too. scan streams subscribers in
// Seq order (it may reuse its value); it may leave out those whose name
// named says no to, without reading their records.
func FindSubscribers(text string, limit int, get func(herald.SubscriberKey) (herald.Subscriber, error),
	scan func(named func(name string) bool, fn func(sub *herald.Subscriber) error) error) ([]herald.Subscriber, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	var out []herald.Subscriber
	keys := []herald.SubscriberKey{}
	if k, err := herald.ParseSubscriberKey(text); err == nil {
		keys = append(keys, k)
	} else if herald.ValidateSubscriberID(text) == nil {
		for _, p := range herald.Platforms {
			keys = append(keys, herald.SubscriberKey{Platform: p, ID: text})
		}
	}
	for _, k := range keys {
		sub, err := get(k)
		switch {
		case errors.Is(err, herald.ErrNotFound):
		case err != nil:
			return nil, err
		case !slices.ContainsFunc(out, func(o herald.Subscriber) bool { return o.Seq == sub.Seq }):
			out = append(out, sub)
		}
	}
	if limit > 0 && len(out) >= limit {
		return out[:limit], nil
	}
	needle := strings.ToLower(text)
	named := func(name string) bool { return strings.Contains(strings.ToLower(name), needle) }
	err := scan(named, func(sub *herald.Subscriber) error {
		if !named(sub.Name) || slices.ContainsFunc(out, func(o herald.Subscriber) bool { return o.Seq == sub.Seq }) {
			return nil
		}
		c := *sub // sub and its Tags and Attributes are reused by the scan
		c.Tags = slices.Clone(sub.Tags)
		c.Attributes = maps.Clone(sub.Attributes)
		out = append(out, c)
		if limit > 0 && len(out) >= limit {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return out, nil
}

// TagList is Tags' answer from the index's counts: tags on at least one
// reachable subscriber, most used first (ties by name).
func TagList(counts map[string]int) []herald.TagCount {
	out := make([]herald.TagCount, 0, len(counts))
	for t, n := range counts {
		if n > 0 {
			out = append(out, herald.TagCount{Tag: t, Count: n})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Tag < out[j].Tag
	})
	return out
}
