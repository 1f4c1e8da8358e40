package audience

import (
	"container/heap"
	"encoding/binary"
	"slices"
	"strconv"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// applySample narrows r, the people an audience matches, to its sample:
// the ranks in the sample's band, or the Max lowest ranks for a cap. Each
// rank is herald.SampleRank of the person's platform and ID, so the index
// picks exactly whom herald.Audience.MatchesWith takes, and a run that
// streams the audience again after a restart gets the same people. A cap
// holds Max ranks in memory, never the audience's records.
func (x *Index) applySample(r *roaring.Bitmap, s *herald.Sample) {
	if s == nil || r.IsEmpty() {
		return
	}
	if s.Capped() {
		if r.GetCardinality() > uint64(s.Max) {
			x.capTo(r, s)
		}
		return
	}
	x.keepBand(r, s.Seed, s.Sent())
}

// keepBand keeps the Seqs of r whose rank is in band.
func (x *Index) keepBand(r *roaring.Bitmap, seed uint64, band herald.Band) {
	out := roaring.New()
	x.eachRank(r, seed, func(seq uint32, rank uint64) {
		if band.Contains(rank) {
			out.Add(seq)
		}
	})
	r.And(out)
}

// capTo keeps the s.Max Seqs of r with the lowest ranks.
func (x *Index) capTo(r *roaring.Bitmap, s *herald.Sample) {
	h := make(rankHeap, 0, s.Max)
	x.eachRank(r, s.Seed, func(seq uint32, rank uint64) {
		e := ranked{rank, seq}
		switch {
		case len(h) < s.Max:
			heap.Push(&h, e)
		case e.less(h[0]):
			h[0] = e
			heap.Fix(&h, 0)
		}
	})
	seqs := make([]uint32, len(h))
	for i, e := range h {
		seqs[i] = e.seq
	}
	slices.Sort(seqs)
	r.And(roaring.BitmapOf(seqs...))
}

// eachRank calls fn with each Seq of r and its rank in seed's draw.
func (x *Index) eachRank(r *roaring.Bitmap, seed uint64, fn func(seq uint32, rank uint64)) {
	var buf [64]byte
	for p, on := range x.platforms {
		it := roaring.And(r, on).Iterator()
		for it.HasNext() {
			seq := it.Next()
			id := decodeID(buf[:0], x.ids.stored(seq))
			fn(seq, herald.SampleRank(seed, herald.SubscriberKey{Platform: p, ID: string(id)}))
		}
	}
}

// decodeID is encodeID's inverse: the ID an encoded one stands for.
func decodeID(dst, e []byte) []byte {
	if len(e) == 0 {
		return dst
	}
	switch e[0] {
	case 1:
		const hex = "0123456789abcdef"
		dst = append(dst, e[1])
		for _, b := range e[2:] {
			dst = append(dst, hex[b>>4], hex[b&0xf])
		}
		return dst
	case 2, 3:
		n, _ := binary.Uvarint(e[1:])
		if e[0] == 2 {
			dst = append(dst, '-')
		}
		return strconv.AppendUint(dst, n, 10)
	}
	return append(dst, e[1:]...)
}

// ranked is a Seq with its rank; ties (a 1 in 2^64 chance) go by Seq.
type ranked struct {
	rank uint64
	seq  uint32
}

func (a ranked) less(b ranked) bool {
	return a.rank < b.rank || (a.rank == b.rank && a.seq < b.seq)
}

// rankHeap is a max-heap: its root is the highest rank kept so far, the
// first to go when a lower one comes.
type rankHeap []ranked

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(i, j int) bool { return h[j].less(h[i]) }
func (h rankHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(v any)        { *h = append(*h, v.(ranked)) }
func (h *rankHeap) Pop() any {
	old := *h
	v := old[len(old)-1]
	*h = old[:len(old)-1]
	return v
}
