package audience

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// TestEncodeIDIsOneToOne: IDs of every shape that look alike must encode
// apart, or one subscriber's ID would resolve to another's Seq.
func TestEncodeIDIsOneToOne(t *testing.T) {
	ids := []string{
		"", "0", "00", "-0", "-00", "-", "1", "01", "-1", "12", "123", "0123", "1234",
		"18446744073709551615", "9999999999999999999", "-9999999999999999999", "10000000000000000000",
		"U", "Ua", "Uab", "UAB", "Uabc", "U0123456789abcdef0123456789abcdef", "U0123456789ABCDEF0123456789abcdef",
		"C0123456789abcdef0123456789abcdef", "u0123456789abcdef0123456789abcdef", "-100123456789",
		"psid42", "x\x00y", "\x01a", "\x03\x01", "\x02\x05", strings.Repeat("é", 40),
	}
	seen := map[string]string{}
	for _, id := range ids {
		e := string(encodeID(nil, id))
		if other, dup := seen[e]; dup {
			t.Fatalf("%q and %q encode alike (%x)", other, id, e)
		}
		seen[e] = id
	}
	if n := len(encodeID(nil, "U0123456789abcdef0123456789abcdef")); n != 18 {
		t.Errorf("a LINE user ID takes %d bytes, want 18", n)
	}
}

// TestIDIndexAgreesWithMap churns IDs through put and remove (growing the
// tables and shifting entries back on delete) and checks every lookup
// against a plain map, the structure it replaces. New subscribers take the
// next Seq, as storage hands them out, so most IDs sit in the arena's
// groups; updates, IDs around the longest an entry holds, and chats that
// move to a new ID go through its out-of-order path.
func TestIDIndexAgreesWithMap(t *testing.T) {
	platforms := []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger}
	for seed := range uint64(5) {
		r := rand.New(rand.NewPCG(seed, 11))
		x := newIDIndex()
		ref := map[herald.SubscriberKey]uint32{}
		keyOf := map[uint32]herald.SubscriberKey{} // a Seq is one subscriber for ever
		randomID := func(seq uint32) string {
			switch r.IntN(4) {
			case 0:
				return fmt.Sprintf("U%032x", seq)
			case 1:
				return fmt.Sprint(seq * 7919)
			case 2:
				return fmt.Sprint(-int64(seq))
			}
			id := fmt.Sprintf("id-%d-", seq)
			if r.IntN(2) == 0 { // encoded, one byte under to two over maxInline
				return id + strings.Repeat("z", maxInline-2-len(id)+r.IntN(4))
			}
			return id + strings.Repeat("z", r.IntN(5000)/50)
		}
		top := uint32(0)
		for step := range 20000 {
			seq := top + 1 // a new subscriber
			if top > 0 && r.IntN(2) == 0 {
				seq = uint32(r.IntN(int(top)) + 1)
			}
			top = max(top, seq)
			k, known := keyOf[seq]
			if known && r.IntN(50) == 0 { // the chat moved: its Seq gets a new ID
				if _, in := ref[k]; in {
					x.remove(k.Platform, k.ID, seq)
					delete(ref, k)
				}
				k = herald.SubscriberKey{Platform: k.Platform, ID: fmt.Sprint(-int64(seq) - 1e12)}
				keyOf[seq] = k
			}
			if !known {
				k = herald.SubscriberKey{Platform: platforms[r.IntN(3)], ID: randomID(seq)}
				keyOf[seq] = k
			}
			if _, in := ref[k]; in && r.IntN(3) == 0 {
				x.remove(k.Platform, k.ID, seq)
				delete(ref, k)
			} else {
				x.put(k.Platform, k.ID, seq)
				ref[k] = seq
			}
			if step%1000 != 0 {
				continue
			}
			for s, k := range keyOf {
				got, ok := x.get(k.Platform, k.ID)
				want, wantOK := ref[k]
				if ok != wantOK || got != want {
					t.Fatalf("seed %d step %d: get(%s) of Seq %d = %d, %v; want %d, %v", seed, step, k, s, got, ok, want, wantOK)
				}
			}
		}
		for p, tb := range x.tables {
			n := 0
			for k := range ref {
				if k.Platform == p {
					n++
				}
			}
			if tb.n != n {
				t.Fatalf("seed %d: %s table counts %d, want %d", seed, p, tb.n, n)
			}
		}
	}
}

// TestIDIndexSeqChangesID: a Seq put again under another ID (only a caller
// breaking Put's contract does this) no longer resolves under the old one.
func TestIDIndexSeqChangesID(t *testing.T) {
	x := newIDIndex()
	x.put(herald.LINE, "Uaa", 7)
	x.put(herald.Telegram, "42", 7)
	if _, ok := x.get(herald.LINE, "Uaa"); ok {
		t.Error("the old ID still resolves")
	}
	if seq, ok := x.get(herald.Telegram, "42"); !ok || seq != 7 {
		t.Errorf("get = %d, %v; want 7", seq, ok)
	}
	if !bytes.Equal(x.stored(7), encodeID(nil, "42")) {
		t.Error("Seq 7 does not hold its new ID")
	}
}

// TestIDArenaAgreesWithMap stores IDs mostly in rising Seq order, with
// gaps within and across groups, past the first arena block, with IDs too
// long for an entry, out of order and over earlier ones (a chat that moved),
// and checks every Seq's stored ID against a plain map.
func TestIDArenaAgreesWithMap(t *testing.T) {
	for seed := range uint64(4) {
		r := rand.New(rand.NewPCG(seed, 5))
		var a idArena
		ref := map[uint32][]byte{}
		seq := uint32(0)
		for range 80000 { // ~1.5 MB of entries: two blocks
			var e []byte
			switch r.IntN(20) {
			case 0:
				e = []byte(strings.Repeat("x", maxInline+1+r.IntN(50)))
			case 1:
				e = []byte(strings.Repeat("y", maxInline))
			default:
				e = encodeID(nil, fmt.Sprintf("U%032x", r.Uint64()))
			}
			s := seq + 1 + uint32(r.IntN(3)) // mostly next, sometimes a gap
			switch r.IntN(50) {
			case 0:
				s = seq + uint32(r.IntN(100)) // a gap of whole groups
			case 1, 2:
				s = uint32(r.IntN(int(seq) + 1)) // out of order, or over an earlier one
			}
			if s == 0 {
				continue
			}
			got := a.store(s, e)
			if !bytes.Equal(got, e) {
				t.Fatalf("seed %d: store(%d) returned %q, want %q", seed, s, got, e)
			}
			ref[s] = e
			seq = max(seq, s)
		}
		if len(a.blocks) < 2 {
			t.Fatalf("seed %d: the test filled %d block(s); it must cross into a second", seed, len(a.blocks))
		}
		for s := range seq + 2*idGroup {
			if got := a.stored(s); !bytes.Equal(got, ref[s]) {
				t.Fatalf("seed %d: stored(%d) = %q, want %q", seed, s, got, ref[s])
			}
		}
	}
}
