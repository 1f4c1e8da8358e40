package dispatch

import (
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
)

// variantRecipients is who an A/B test's variants were for, when b is the
// test's rest: every Seq on the recipient list of any run of the test's
// own broadcast (variant A) or of its variants, sorted. The rest goes to
// everyone else in the audience as it is now, so nobody gets two
// variants and nobody who joined after the variants went out (whatever
// their sample band) is left with none. nil for any other broadcast.
func (r *runner) variantRecipients() (seqSet, error) {
	part := r.b.ABPart
	if part == nil || !part.Rest {
		return nil, nil
	}
	test, err := r.e.store.Broadcast(part.Test)
	if err != nil {
		return nil, fmt.Errorf("dispatch: the test of rest %s: %w", r.b.ID, err)
	}
	ids := []string{test.ID}
	if test.Test != nil {
		ids = append(ids, test.Test.Children...)
	}
	var seqs seqSet
	for _, id := range ids {
		runs, err := r.e.store.RunsOf(id)
		if err != nil {
			return nil, fmt.Errorf("dispatch: runs of variant %s: %w", id, err)
		}
		for _, run := range runs {
			err := r.eachDelivery(run.ID, "", func(d herald.Delivery) error {
				seqs = append(seqs, d.Seq)
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("dispatch: recipients of variant %s: %w", id, err)
			}
		}
	}
	slices.Sort(seqs)
	return slices.Compact(seqs), nil
}

// seqSet is a sorted list of subscribers' Seqs: 4 bytes a person, so the
// variants of a large test fit in memory where a map would not.
type seqSet []uint32

// has reports whether seq is in the set.
func (s seqSet) has(seq uint32) bool {
	_, ok := slices.BinarySearch(s, seq)
	return ok
}
