package audience

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"strings"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/heraldbot/herald"
)

// idIndex resolves a (platform, ID) to its Seq for Selected lists without a
// database read.
//
// Why not map[string]uint32 per platform: at a million subscribers that map
// and its strings took ~86 MB, most of the index and a large part of the
// bot's memory. Here each ID is stored once, compactly encoded (a LINE user
// ID in 18 bytes instead of a 33-byte string plus a 16-byte header), in an
// arena that finds it by Seq (idarena.go), and each platform's hash table
// holds only Seqs (4 bytes per slot, open addressing): ~26 MB for the same
// million.
//
// A Seq's ID never changes in storage (a Seq is one subscriber for ever),
// so an update that removes and re-adds a subscriber reuses its stored ID:
// the arena grows with new subscribers only.
type idIndex struct {
	seed   maphash.Seed
	tables map[herald.Platform]*idTable
	arena  idArena
}

// idTable is one platform's ID → Seq hash table: linear probing over Seqs
// (0 is an empty slot; Seq 0 is never indexed), compared by stored ID. Each
// slot also keeps 8 bits of its ID's hash, so a probe past other entries
// reads their IDs from the arena (a cache miss each) only once in 256.
type idTable struct {
	slots []uint32 // len is a power of two
	tags  []uint8
	n     int
}

// newIDTable makes a table that holds n entries without growing.
func newIDTable(n int) *idTable {
	size := 8
	for 4*n > 3*size {
		size *= 2
	}
	return &idTable{slots: make([]uint32, size), tags: make([]uint8, size)}
}

func newIDIndex() idIndex {
	return idIndex{seed: maphash.MakeSeed(), tables: map[herald.Platform]*idTable{}}
}

// put makes (p, id) resolve to seq, replacing what it resolved to before.
func (x *idIndex) put(p herald.Platform, id string, seq uint32) {
	var buf [64]byte
	e := x.setID(seq, encodeID(buf[:0], id))
	t := x.tables[p]
	if t == nil {
		t = newIDTable(0)
		x.tables[herald.Platform(strings.Clone(string(p)))] = t // p may point into a decode buffer
	}
	t.put(x, e, seq)
}

// setID makes e seq's stored ID and returns the stored copy.
func (x *idIndex) setID(seq uint32, e []byte) []byte {
	old := x.stored(seq)
	if old != nil && bytes.Equal(old, e) {
		return old
	}
	if old != nil {
		// Seq was someone else: let no table find it under that ID.
		for _, t := range x.tables {
			t.delete(x, old, seq)
		}
	}
	return x.store(seq, e)
}

// bulk is the Builder's way in: setBulk stores IDs alone, in Seq order, so
// the arena fills sequentially; tableOf then builds each platform's table
// once at its final size from the platform's bitmap (no regrowth).
func (x *idIndex) setBulk(seq uint32, id string) {
	var buf [64]byte
	x.setID(seq, encodeID(buf[:0], id))
}

func (x *idIndex) tableOf(p herald.Platform, seqs *roaring.Bitmap) {
	t := newIDTable(int(seqs.GetCardinality()))
	x.tables[p] = t
	it := seqs.Iterator()
	for it.HasNext() {
		seq := it.Next()
		t.put(x, x.stored(seq), seq)
	}
}

// get returns the Seq (p, id) resolves to.
func (x *idIndex) get(p herald.Platform, id string) (uint32, bool) {
	t := x.tables[p]
	if t == nil {
		return 0, false
	}
	var buf [64]byte
	e := encodeID(buf[:0], id)
	i, ok := t.find(x, e)
	if !ok {
		return 0, false
	}
	return t.slots[i], true
}

// remove stops (p, id) resolving, if it resolves to seq. The stored ID
// stays: the same subscriber usually comes straight back (an update).
func (x *idIndex) remove(p herald.Platform, id string, seq uint32) {
	if t := x.tables[p]; t != nil {
		var buf [64]byte
		t.delete(x, encodeID(buf[:0], id), seq)
	}
}

// stored is seq's encoded ID, or nil.
func (x *idIndex) stored(seq uint32) []byte { return x.arena.stored(seq) }

// store copies e into the arena as seq's ID and returns the copy.
func (x *idIndex) store(seq uint32, e []byte) []byte { return x.arena.store(seq, e) }

func (x *idIndex) hash(e []byte) uint64 { return maphash.Bytes(x.seed, e) }

// find returns the slot holding the Seq whose ID is e (found), or the empty
// slot where it would go.
func (t *idTable) find(x *idIndex, e []byte) (i int, found bool) {
	h := x.hash(e)
	mask := len(t.slots) - 1
	tag := uint8(h >> 56)
	for i = int(h) & mask; ; i = (i + 1) & mask {
		seq := t.slots[i]
		if seq == 0 {
			return i, false
		}
		if t.tags[i] == tag && bytes.Equal(x.stored(seq), e) {
			return i, true
		}
	}
}

// put stores seq, whose ID is e, in the slot for e.
func (t *idTable) put(x *idIndex, e []byte, seq uint32) {
	i, found := t.find(x, e)
	if found {
		t.slots[i] = seq
		return
	}
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow(x)
		i, _ = t.find(x, e)
	}
	t.slots[i], t.tags[i] = seq, uint8(x.hash(e)>>56)
	t.n++
}

func (t *idTable) grow(x *idIndex) {
	old, oldTags := t.slots, t.tags
	t.slots, t.tags = make([]uint32, 2*len(old)), make([]uint8, 2*len(old))
	mask := len(t.slots) - 1
	for j, seq := range old {
		if seq == 0 {
			continue
		}
		i := int(x.hash(x.stored(seq))) & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i], t.tags[i] = seq, oldTags[j]
	}
}

// delete removes e's entry if it is seq, shifting the entries after it back
// (no tombstones, so lookups never slow down with churn).
func (t *idTable) delete(x *idIndex, e []byte, seq uint32) {
	i, found := t.find(x, e)
	if !found || t.slots[i] != seq {
		return
	}
	mask := len(t.slots) - 1
	for j := (i + 1) & mask; t.slots[j] != 0; j = (j + 1) & mask {
		// Move the entry at j into the hole at i unless its home slot
		// lies cyclically in (i, j]: then it is already where a probe
		// from home finds it.
		home := int(x.hash(x.stored(t.slots[j]))) & mask
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			t.slots[i], t.tags[i] = t.slots[j], t.tags[j]
			i = j
		}
	}
	t.slots[i], t.tags[i] = 0, 0
	t.n--
}

// encodeID appends a compact, one-to-one encoding of id to dst: only
// equality is ever asked of it, so it need not decode. The common shapes
// pack: a first character then lowercase hex (LINE "U…", "C…", "R…") to
// half, and decimal numbers (Telegram, Messenger) to a varint. A leading
// tag byte keeps the shapes apart.
func encodeID(dst []byte, id string) []byte {
	if len(id) >= 3 && len(id)%2 == 1 {
		start := len(dst)
		dst = append(dst, 1, id[0])
		i := 1
		for ; i < len(id); i += 2 {
			hi, lo := hexValue[id[i]], hexValue[id[i+1]]
			if hi|lo > 0xf {
				break
			}
			dst = append(dst, hi<<4|lo)
		}
		if i >= len(id) {
			return dst
		}
		dst = dst[:start]
	}
	if len(id) > 1 && id[0] == '-' {
		if n, ok := canonicalUint(id[1:]); ok {
			return binary.AppendUvarint(append(dst, 2), n)
		}
	} else if n, ok := canonicalUint(id); ok {
		return binary.AppendUvarint(append(dst, 3), n)
	}
	return append(append(dst, 0), id...)
}

// hexValue is each lowercase hex digit's value, 0xff for every other byte.
var hexValue = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c - 'a' + 10)
	}
	return t
}()

// canonicalUint parses s when it is a decimal number in canonical form (no
// sign, no leading zero) that fits 19 digits, so the number gives s back.
func canonicalUint(s string) (uint64, bool) {
	if len(s) == 0 || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}
