// Package audience answers "how many, and who?" for a broadcast's audience
// from memory, fast enough to update a count on every click, and reads the
// CSV lists of selected users admins upload.
//
// The index is a set of compressed bitmaps (github.com/RoaringBitmap/roaring)
// keyed by subscriber Seq, a dense number storage assigns once. Why bitmaps:
// an audience is a boolean formula over a handful of facts (channel, kind,
// tags, activity, attributes), and roaring answers AND/OR/ANDNOT over a
// million members in well under a millisecond while storing a dense set in
// ~1 bit per member and a sparse one in ~2 bytes per member. Only reachable
// subscribers (subscribed, not blocked) are indexed at all: the others can
// never be targeted, so they cost nothing and every bitmap is already
// "reachable only".
//
// herald.Audience.Matches is the reference semantics; the index agrees with
// it exactly (see the property test), by evaluating attribute conditions
// with the very same AttrCondition.Matches over each distinct value.
package audience

import (
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// Index holds every reachable subscriber's targeting facts keyed by Seq. It
// is safe for concurrent use: one writer (storage, after each commit) and
// many readers; readers never see a half-applied Put.
type Index struct {
	mu sync.RWMutex

	// reachable holds every indexed Seq; all other bitmaps are subsets.
	reachable *roaring.Bitmap
	platforms map[herald.Platform]*roaring.Bitmap
	// accounts holds each named account's Seqs (accounts.go).
	accounts map[herald.Account]*roaring.Bitmap
	kinds    map[herald.SubscriberKind]*roaring.Bitmap
	tags     map[string]*roaring.Bitmap
	attrs    map[string]*attrColumn
	activity activity
	// operator holds the Seqs in an open operator chat, so the wizard asks
	// what to do with them only when the audience has any.
	operator *roaring.Bitmap
	// ids resolves explicit Selected lists (platform, ID) to Seqs without a
	// database read, so a count over a 100k-row CSV list stays in memory.
	ids idIndex
	// responses holds who tapped or clicked a button of a past broadcast
	// (responses.go).
	responses map[responseKey]*roaring.Bitmap
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{
		reachable: roaring.New(),
		platforms: map[herald.Platform]*roaring.Bitmap{},
		accounts:  map[herald.Account]*roaring.Bitmap{},
		kinds:     map[herald.SubscriberKind]*roaring.Bitmap{},
		tags:      map[string]*roaring.Bitmap{},
		attrs:     map[string]*attrColumn{},
		activity:  newActivity(),
		operator:  roaring.New(),
		ids:       newIDIndex(),
		responses: map[responseKey]*roaring.Bitmap{},
	}
}

// Put moves a subscriber from old to new: old nil inserts, new nil deletes.
// old must be the version last Put for its Seq (storage passes the record
// it replaced in the same transaction); the index keeps no copy of it, which
// is what keeps it small. Subscribers without a Seq are ignored.
func (x *Index) Put(old, new *herald.Subscriber) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if old != nil && old.Seq != 0 {
		x.remove(old)
	}
	if new != nil && new.Seq != 0 && new.Reachable() {
		x.add(new)
	}
}

// Len is the number of reachable subscribers indexed.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return int(x.reachable.GetCardinality())
}

func (x *Index) add(s *herald.Subscriber) {
	seq := s.Seq
	x.reachable.Add(seq)
	addTo(x.platforms, s.Platform, seq)
	if s.Account != "" {
		addToAccount(x.accounts, s.AccountOf(), seq)
	}
	addTo(x.kinds, s.Kind, seq)
	for _, t := range s.Tags {
		// Index exactly the tags HasTag finds, so a subscriber whose tags
		// were stored unsorted behaves here as it does in Matches.
		if s.HasTag(t) {
			addTo(x.tags, t, seq)
		}
	}
	for k, v := range s.Attributes {
		col := x.attrs[k]
		if col == nil {
			col = newAttrColumn()
			x.attrs[strings.Clone(k)] = col
		}
		col.add(v, seq)
	}
	x.activity.add(seq, s.LastInteraction)
	if s.OperatorChat {
		x.operator.Add(seq)
	}
	x.ids.put(idKey(s), s.ID, seq)
}

func (x *Index) remove(s *herald.Subscriber) {
	seq := s.Seq
	if !x.reachable.CheckedRemove(seq) {
		return // it was not reachable, so nothing else holds it
	}
	// Platform and kind sets are few: clear them all rather than trust old.
	for p := range x.platforms {
		removeFrom(x.platforms, p, seq)
	}
	for acc, b := range x.accounts {
		if b.CheckedRemove(seq) && b.IsEmpty() {
			delete(x.accounts, acc)
		}
	}
	for k := range x.kinds {
		removeFrom(x.kinds, k, seq)
	}
	for _, t := range s.Tags {
		removeFrom(x.tags, t, seq)
	}
	for k, v := range s.Attributes {
		if col := x.attrs[k]; col != nil {
			col.remove(v, seq)
			if col.present.IsEmpty() {
				delete(x.attrs, k)
			}
		}
	}
	x.activity.remove(seq)
	x.operator.Remove(seq)
	x.ids.remove(idKey(s), s.ID, seq)
}

// TagCounts returns each tag's number of reachable subscribers.
func (x *Index) TagCounts() map[string]int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string]int, len(x.tags))
	for t, b := range x.tags {
		out[t] = int(b.GetCardinality())
	}
	return out
}

// addTo adds seq to m[k], creating the bitmap on first use. The key is
// cloned when first stored: it may point into a decode buffer.
func addTo[K ~string](m map[K]*roaring.Bitmap, k K, seq uint32) {
	b := m[k]
	if b == nil {
		b = roaring.New()
		m[K(strings.Clone(string(k)))] = b
	}
	b.Add(seq)
}

// removeFrom removes seq from m[k], dropping the bitmap once empty so that
// tags nobody carries any more disappear from TagCounts.
func removeFrom[K ~string](m map[K]*roaring.Bitmap, k K, seq uint32) {
	if b := m[k]; b != nil {
		b.Remove(seq)
		if b.IsEmpty() {
			delete(m, k)
		}
	}
}
