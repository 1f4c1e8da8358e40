package audience

import (
	"math"
	"time"

	"github.com/RoaringBitmap/roaring/v2"
)

const dayNanos = int64(24 * time.Hour)

// activity answers "who interacted at or after t?".
//
// Why day buckets plus a column, and not a sorted (time, seq) array: last
// interaction changes on every message a subscriber sends, so updates must
// be cheap. Moving a Seq between two day bitmaps is O(1)-ish, where keeping
// an array sorted costs a memmove of megabytes per message. A query ORs the
// whole days on the smaller side of the cutoff (at most a few hundred small
// bitmaps) and checks only the boundary day's members against the exact
// nanosecond column, so the answer is exact, not rounded to days.
type activity struct {
	// last is each Seq's last interaction in Unix nanoseconds (see toNanos);
	// meaningful only for Seqs in some day bucket.
	last []int64
	days map[int64]*roaring.Bitmap
	// never holds Seqs that never interacted: they are outside every
	// "within", and inside every "not since".
	never *roaring.Bitmap
}

func newActivity() activity {
	return activity{days: map[int64]*roaring.Bitmap{}, never: roaring.New()}
}

// noTime marks a Seq without a bucket in last.
const noTime = math.MinInt64

func (a *activity) add(seq uint32, t time.Time) {
	d, dated := a.record(seq, t)
	if !dated {
		a.never.Add(seq)
		return
	}
	b := a.days[d]
	if b == nil {
		b = roaring.New()
		a.days[d] = b
	}
	b.Add(seq)
}

// record keeps seq's last interaction in last and returns its day bucket;
// dated is false for someone who never interacted (they go in never, which
// the caller fills: directly, or in bulk when building).
func (a *activity) record(seq uint32, t time.Time) (day int64, dated bool) {
	a.grow(seq)
	if t.IsZero() {
		a.last[seq] = noTime
		return 0, false
	}
	n := toNanos(t)
	a.last[seq] = n
	return floorDiv(n, dayNanos), true
}

// grow makes last long enough to hold seq.
func (a *activity) grow(seq uint32) {
	if int(seq) < len(a.last) {
		return
	}
	grown := make([]int64, max(int(seq)+1, 2*len(a.last), 1024))
	copy(grown, a.last)
	for i := len(a.last); i < len(grown); i++ {
		grown[i] = noTime
	}
	a.last = grown
}

func (a *activity) remove(seq uint32) {
	if a.never.CheckedRemove(seq) || int(seq) >= len(a.last) || a.last[seq] == noTime {
		return
	}
	d := floorDiv(a.last[seq], dayNanos)
	if b := a.days[d]; b != nil {
		b.Remove(seq)
		if b.IsEmpty() {
			delete(a.days, d)
		}
	}
	a.last[seq] = noTime
}

// since returns the Seqs whose last interaction is at or after cutoff, among
// the indexed ones (reachable). The bitmap is new and the caller's.
func (a *activity) since(cutoff int64, reachable *roaring.Bitmap) *roaring.Bitmap {
	cd := floorDiv(cutoff, dayNanos)
	var newer, older []*roaring.Bitmap
	for d, b := range a.days {
		switch {
		case d > cd:
			newer = append(newer, b)
		case d < cd:
			older = append(older, b)
		}
	}
	boundary := a.days[cd]
	if len(newer) <= len(older) {
		out := roaring.FastOr(newer...)
		if boundary != nil {
			out.AddMany(a.filter(boundary, func(n int64) bool { return n >= cutoff }))
		}
		return out
	}
	// Fewer buckets before the cutoff: take everyone who interacted and
	// subtract the older days instead.
	out := roaring.AndNot(reachable, a.never)
	out.AndNot(roaring.FastOr(older...))
	if boundary != nil {
		out.AndNot(roaring.BitmapOf(a.filter(boundary, func(n int64) bool { return n < cutoff })...))
	}
	return out
}

// filter returns the members of b whose last interaction satisfies keep.
func (a *activity) filter(b *roaring.Bitmap, keep func(int64) bool) []uint32 {
	var out []uint32
	buf := make([]uint32, 256)
	it := b.ManyIterator()
	for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
		for _, seq := range buf[:n] {
			if keep(a.last[seq]) {
				out = append(out, seq)
			}
		}
	}
	return out
}

// toNanos is t in Unix nanoseconds, saturated outside the years 1677–2262
// (where UnixNano is undefined): comparisons stay exact for every time in
// that range, which holds every real interaction and every cutoff a
// time.Duration period can reach from today.
func toNanos(t time.Time) int64 {
	switch {
	case t.Before(time.Unix(0, math.MinInt64+1)):
		return math.MinInt64 + 1
	case t.After(time.Unix(0, math.MaxInt64)):
		return math.MaxInt64
	}
	return t.UnixNano()
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
