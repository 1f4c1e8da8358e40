package audience_test

import (
	"math/rand/v2"
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
