package audience

import "bytes"

// idArena keeps each Seq's encoded ID (encodeID) for the ID tables to
// compare against.
//
// Why groups and not an offset per Seq: storage hands Seqs out in
// increasing order and the index is built in Seq order, so nearly every ID
// is appended right after the previous Seq's. The arena keeps one offset
// per group of idGroup Seqs (a quarter of a byte per Seq instead of 4, ~4
// MB less at a million subscribers, where the memory limit makes every MB
// of live heap a GC cycle saved) and finds a Seq's ID by skipping its
// group's earlier entries: each entry is a length byte (0: that Seq has no
// ID) and the ID, so the skip stays within a few cache lines. The few IDs
// stored out of order (a Seq below the newest, a chat that moved to a new
// ID) or too long for a length byte live in moved, and their group's
// movedFlag says to look there first.
type idArena struct {
	// groups[g] is the offset+1 of the first entry of group g (Seqs
	// g*idGroup to g*idGroup+idGroup-1) in the blocks, 0 when none of them
	// was stored in order, with movedFlag set when one of them is in moved.
	groups []uint32
	blocks [][]byte
	// tail is the newest Seq stored in order (0: none); its group has
	// entries up to it, every earlier group has all idGroup.
	tail  uint32
	moved map[uint32][]byte
}

const (
	idGroup   = 16
	maxInline = 127 // longest ID an entry holds
	// groupRoom is what one group's entries can take: a group starts only
	// in a block with that much room, so it never spans two blocks.
	groupRoom = idGroup * (1 + maxInline)
	idBlock   = 1 << 20 // arena block size
	movedFlag = 1 << 31
	// maxBlocks keeps every offset+1 below movedFlag; past it, IDs go to
	// moved.
	maxBlocks = movedFlag/idBlock - 1
)

// stored is seq's encoded ID, or nil.
func (a *idArena) stored(seq uint32) []byte {
	g := int(seq / idGroup)
	if g >= len(a.groups) {
		return nil
	}
	base := a.groups[g]
	if base&movedFlag != 0 {
		if e, ok := a.moved[seq]; ok {
			return e
		}
		base &^= movedFlag
	}
	if base == 0 || seq > a.tail {
		return nil
	}
	off := base - 1
	b := a.blocks[off/idBlock][off%idBlock:]
	i := 0
	for range seq % idGroup {
		i += 1 + int(b[i])
	}
	n := int(b[i])
	if n == 0 {
		return nil
	}
	return b[i+1 : i+1+n : i+1+n]
}

// store makes e seq's ID and returns the stored copy.
func (a *idArena) store(seq uint32, e []byte) []byte {
	if seq > a.tail && len(e) > 0 && len(e) <= maxInline {
		if s := a.append(seq, e); s != nil {
			delete(a.moved, seq) // stored out of order before, while long
			return s
		}
	}
	g := int(seq / idGroup)
	a.growGroups(g)
	a.groups[g] |= movedFlag
	if a.moved == nil {
		a.moved = map[uint32][]byte{}
	}
	c := bytes.Clone(e)
	a.moved[seq] = c
	return c
}

// append stores e as the entry of seq, which is above tail, and returns
// the stored copy; nil when the blocks are full.
func (a *idArena) append(seq uint32, e []byte) []byte {
	last := len(a.blocks) - 1
	if a.tail == 0 || seq/idGroup != a.tail/idGroup {
		// A new group: it starts where all of it fits once the tail's
		// group is closed (no ID for its other Seqs).
		var closing uint32
		if a.tail != 0 {
			closing = idGroup - 1 - a.tail%idGroup
		}
		fresh := last < 0 || idBlock-len(a.blocks[last])-int(closing) < groupRoom
		if fresh && len(a.blocks) >= maxBlocks {
			return nil
		}
		if a.tail != 0 {
			a.zeros(last, closing)
		}
		if fresh {
			a.blocks = append(a.blocks, make([]byte, 0, idBlock))
			last++
		}
		g := int(seq / idGroup)
		a.growGroups(g)
		a.groups[g] |= uint32(last)*idBlock + uint32(len(a.blocks[last])) + 1
		a.zeros(last, seq%idGroup)
	} else {
		a.zeros(last, seq-a.tail-1)
	}
	// The group's room is reserved: these appends never reallocate the
	// block, so earlier stored copies stay valid.
	b := append(a.blocks[last], byte(len(e)))
	start := len(b)
	b = append(b, e...)
	a.blocks[last] = b
	a.tail = seq
	return b[start:len(b):len(b)]
}

// zeros appends n entries without an ID to block i.
func (a *idArena) zeros(i int, n uint32) {
	for range n {
		a.blocks[i] = append(a.blocks[i], 0)
	}
}

// growGroups makes groups long enough to hold group g.
func (a *idArena) growGroups(g int) {
	if g < len(a.groups) {
		return
	}
	grown := make([]uint32, max(g+1, 2*len(a.groups), 64))
	copy(grown, a.groups)
	a.groups = grown
}
