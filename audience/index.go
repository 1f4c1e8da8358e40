// Package audience answers "how many, and who?" for a broadcast's audience
// from memory, fast enough to update a count on every click.
package audience

// API CONTRACT STUB — the audience owner replaces bodies and this header,
// keeping these signatures (more may be added).

import (
	"time"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// Index holds every subscriber's targeting facts keyed by Seq. It is safe
// for concurrent use: one writer (storage, after each commit) and many
// readers.
type Index struct{}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Put moves a subscriber from old to new: old nil inserts, new nil deletes.
func (x *Index) Put(old, new *herald.Subscriber) {}

// Count sizes audience a at now, with its breakdown.
func (x *Index) Count(a *herald.Audience, cat herald.Category, now time.Time) herald.Count {
	return herald.Count{}
}

// Match returns the Seqs of the subscribers in a at now; the bitmap is the
// caller's own.
func (x *Index) Match(a *herald.Audience, now time.Time) *roaring.Bitmap { return roaring.New() }

// TagCounts returns each tag's number of reachable subscribers.
func (x *Index) TagCounts() map[string]int { return nil }
