package audience_test

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/audience/audiencetest"
)

// TestIndexAgreesWithMatches grows, updates and shrinks a random population
// and checks every random audience against the brute-force reference.
// (audiencetest's TestStoreCountsAgreeWithScan does the same over bbolt.)
func TestIndexAgreesWithMatches(t *testing.T) {
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		x := audience.NewIndex()
		subs := map[uint32]*herald.Subscriber{}
		for step := range 300 {
			seq := uint32(r.IntN(60) + 1)
			old := subs[seq]
			if old != nil && r.IntN(6) == 0 {
				x.Put(old, nil)
				delete(subs, seq)
			} else {
				s := audiencetest.RandomSubscriber(r, seq, now, false)
				s.OperatorChat = step%5 == 0 // in and out of operator chats, from the step: the random stream stays as it was
				x.Put(old, s)
				subs[seq] = s
			}
			if step%10 != 0 {
				continue
			}
			var ids []string
			for _, s := range subs {
				ids = append(ids, s.ID)
			}
			for range 10 {
				a := audiencetest.RandomAudience(r, ids)
				ref := audiencetest.BruteCounter{A: a, Cat: []herald.Category{herald.Marketing, herald.NonMarketing}[r.IntN(2)], Now: now}
				for _, s := range subs {
					ref.Add(s)
				}
				if got := x.Count(a, ref.Cat, now); !cmp.Equal(ref.Count, got) {
					t.Fatalf("seed %d step %d: Count(%+v) = %+v, brute force %+v", seed, step, a, got, ref.Count)
				}
				m := x.Match(a, now)
				if int(m.GetCardinality()) != len(ref.Seqs) {
					t.Fatalf("seed %d step %d: Match has %d, brute force %d", seed, step, m.GetCardinality(), len(ref.Seqs))
				}
				for _, q := range ref.Seqs {
					if !m.Contains(q) {
						t.Fatalf("seed %d step %d: Match misses seq %d (%+v) for %+v", seed, step, q, subs[q], a)
					}
				}
			}
		}
	}
}

// TestBuilderEqualsPut builds one index with the Builder and one with Put
// from the same random subscribers — Seqs spread over several roaring
// containers, an attribute with enough values to get a column, tags stored
// unsorted — then checks that both answer every random audience alike, and
// keep doing so after the same updates go through Put on both.
func TestBuilderEqualsPut(t *testing.T) {
	for seed := range uint64(6) {
		r := rand.New(rand.NewPCG(seed, 99))
		var subs []*herald.Subscriber
		seq := uint32(0)
		for range 3000 {
			seq += uint32(r.IntN(100) + 1) // ~150,000: three containers
			s := audiencetest.RandomSubscriber(r, seq, now, false)
			s.OperatorChat = seq%7 == 0 // from seq: the random stream stays as it was
			if r.IntN(3) == 0 {
				if s.Attributes == nil {
					s.Attributes = map[string]string{}
				}
				s.Attributes["score"] = strconv.Itoa(r.IntN(500)) // > columnAfter values
			}
			subs = append(subs, s)
		}
		put := audience.NewIndex()
		b := audience.NewBuilder()
		var reused herald.Subscriber
		for _, s := range subs {
			put.Put(nil, s)
			// The Builder gets one reused value, as storage streams it.
			reused = *s
			reused.Tags = append(reused.Tags[:0], s.Tags...)
			b.Add(&reused)
			reused.ID = "overwritten"
		}
		built := b.Index()
		compareIndexes(t, r, put, built, subs, seed, "built")

		// Later writes (Put on the built index) must keep it equal too.
		for range 500 {
			i := r.IntN(len(subs))
			old := subs[i]
			if r.IntN(5) == 0 {
				put.Put(old, nil)
				built.Put(old, nil)
				subs = slices.Delete(subs, i, i+1)
				continue
			}
			s := audiencetest.RandomSubscriber(r, old.Seq, now, false)
			s.Platform, s.ID, s.OperatorChat = old.Platform, old.ID, !old.OperatorChat
			put.Put(old, s)
			built.Put(old, s)
			subs[i] = s
		}
		compareIndexes(t, r, put, built, subs, seed, "updated")
	}
}

func compareIndexes(t *testing.T, r *rand.Rand, want, got *audience.Index, subs []*herald.Subscriber, seed uint64, stage string) {
	t.Helper()
	if want.Len() != got.Len() {
		t.Fatalf("seed %d %s: Len %d, Put-built %d", seed, stage, got.Len(), want.Len())
	}
	if !cmp.Equal(want.TagCounts(), got.TagCounts()) {
		t.Fatalf("seed %d %s: TagCounts differ: %s", seed, stage, cmp.Diff(want.TagCounts(), got.TagCounts()))
	}
	var ids []string
	for _, s := range subs {
		ids = append(ids, s.ID)
		if want.Reachable(s.Key()) != got.Reachable(s.Key()) {
			t.Fatalf("seed %d %s: Reachable(%s) differs", seed, stage, s.Key())
		}
	}
	for range 300 {
		a := audiencetest.RandomAudience(r, ids[:min(len(ids), 40)])
		if r.IntN(4) == 0 {
			a.Attributes = append(a.Attributes, herald.AttrCondition{Key: "score", Op: []herald.AttrOp{herald.AttrGt, herald.AttrEq, herald.AttrMissing}[r.IntN(3)], Value: strconv.Itoa(r.IntN(500))})
		}
		cat := []herald.Category{herald.Marketing, herald.NonMarketing}[r.IntN(2)]
		if w, g := want.Count(a, cat, now), got.Count(a, cat, now); !cmp.Equal(w, g) {
			t.Fatalf("seed %d %s: Count(%+v) = %+v, Put-built %+v", seed, stage, a, g, w)
		}
		if w, g := want.Match(a, now), got.Match(a, now); !w.Equals(g) {
			t.Fatalf("seed %d %s: Match(%+v) differs from the Put-built index", seed, stage, a)
		}
	}
}
