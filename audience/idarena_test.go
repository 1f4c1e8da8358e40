package audience

import (
	"bytes"
	"strings"
	"testing"
)

// TestIDArenaGroupNeverOutgrowsItsBlock lays groups out so that a full
// group of the longest inline IDs starts when the block has just over
// groupRoom left before the previous group is closed (its other 15 Seqs
// written as empty entries), and under it after: a group must start only
// where all of it fits after that closing, or it runs past idBlock and the
// block is reallocated (the reserved room the arena relies on, and ~0.3 MB
// of garbage each time).
func TestIDArenaGroupNeverOutgrowsItsBlock(t *testing.T) {
	var a idArena
	ref := map[uint32][]byte{}
	put := func(seq uint32, n int) {
		e := []byte(strings.Repeat(string(rune('a'+seq%26)), n))
		if got := a.store(seq, e); !bytes.Equal(got, e) {
			t.Fatalf("store(%d) returned %q", seq, got)
		}
		ref[seq] = e
	}
	g := uint32(1)
	for ; g <= 510; g++ { // 510 full groups: 4096 bytes of the block left
		for i := range uint32(idGroup) {
			put(g*idGroup+i, maxInline)
		}
	}
	for ; g <= 524; g++ { // 14 groups of one ID each: 143 bytes once closed
		put(g*idGroup, maxInline)
	}
	put(g*idGroup, 40) // 2053 left, 2038 once this group is closed
	g++
	for i := range uint32(idGroup) { // 2048 bytes
		put(g*idGroup+i, maxInline)
	}
	for i, b := range a.blocks {
		if cap(b) != idBlock || len(b) > idBlock {
			t.Errorf("block %d has grown to len %d cap %d, past idBlock %d", i, len(b), cap(b), idBlock)
		}
	}
	for seq := range (g + 1) * idGroup {
		if got := a.stored(seq); !bytes.Equal(got, ref[seq]) {
			t.Fatalf("stored(%d) = %q, want %q", seq, got, ref[seq])
		}
	}
}
