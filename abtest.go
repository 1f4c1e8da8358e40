package herald

import (
	"strings"
	"time"
)

// ABTest sends two to four versions of a broadcast's content to random,
// disjoint samples of its audience, waits, and sends the version that
// did best to the rest. It lives on the broadcast the admin made (the
// test's "parent"), whose own Content is variant A; variants B to D are
// broadcasts of their own (children, ABPart set), made when the test is
// submitted, so each is sent, tracked and reported like any broadcast.
//
// The samples are bands of one Seed (see Sample): variant i takes ranks
// [i·Percent, (i+1)·Percent), so nobody gets two variants, even after a
// restart or a retry. The rest (a child made when the winner is known)
// is everyone in the audience when it goes out who was on no variant's
// recipient list: someone who joined since, whatever their band, gets
// the winner.
type ABTest struct {
	// Variants are the contents of B, C and D (A is the broadcast's own).
	Variants []Content
	// Percent is each variant's share of the audience.
	Percent float64
	// Wait is how long after the variants go out the winner is picked.
	Wait time.Duration
	// Seed draws the bands; kept on edits, like a sample's.
	Seed uint64

	// Set by the broadcasts service when the test is submitted:
	// Children are the broadcasts of variants B.., DecideAt is when the
	// winner is picked.
	Children []string
	DecideAt time.Time

	// The decision. Winner is the variant sent to the rest (1 is A; 0 not
	// yet); Rest the ID of the rest's broadcast, drawn with the decision
	// and made right after it (made again, harmlessly, after a crash
	// between the two); Asked says an admin was asked to pick because
	// nobody tapped; Done says the rest's broadcast exists.
	Winner int
	Rest   string
	Asked  bool
	Done   bool
	// By is who picked the winner: "system" for the rule (the best rate
	// of taps and clicks), else the admin's key; "" for a test decided
	// before it was kept.
	By string
}

// PickedByRule reports whether the winner was picked by the rule (the
// best rate), not by an admin.
func (t *ABTest) PickedByRule() bool { return t.By == "system" }

// WaitingForPick reports whether the test waits for an admin to pick its
// winner: nobody tapped when its time came, and nobody has picked since.
func (t *ABTest) WaitingForPick() bool {
	return t != nil && t.Asked && t.Winner == 0 && !t.Done
}

// ABPart marks a broadcast that is part of an A/B test other than its
// parent: a variant (Variant 2 is B) or the rest (Rest, with the winner).
type ABPart struct {
	Test    string
	Variant int
	Rest    bool
}

// ABFamily lists the broadcasts of the A/B test b is part of: the test's
// own (A), its variants and its rest; nil when b is in no test. A tap on
// any of them is a tap on the test (see Trigger.Matches' callers).
func ABFamily(test *Broadcast) []string {
	if test.Test == nil {
		return nil
	}
	ids := append([]string{test.ID}, test.Test.Children...)
	if test.Test.Rest != "" {
		ids = append(ids, test.Test.Rest)
	}
	return ids
}

// ABTestID is the ID of the test b belongs to: its own when it is the
// test, its parent's when a variant or the rest, "" when in none.
func (b *Broadcast) ABTestID() string {
	switch {
	case b.ABPart != nil:
		return b.ABPart.Test
	case b.Test != nil:
		return b.ID
	}
	return ""
}

// Limits of an A/B test.
const (
	MinVariants = 2
	MaxVariants = 4
	// MinABWait and MaxABWait bound the wait before the winner is picked.
	MinABWait = time.Minute
	MaxABWait = 30 * 24 * time.Hour
)

// VariantLetter is a variant's name: 1 is "A".
func VariantLetter(i int) string {
	if i < 1 || i > MaxVariants {
		return "?"
	}
	return string(rune('A' + i - 1))
}

// VariantOf reads a letter ("b", "B") back into a variant number of a
// test with n variants; 0 when it is none of them.
func VariantOf(s string, n int) int {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 1 || s[0] < 'A' || int(s[0]-'A') >= n {
		return 0
	}
	return int(s[0]-'A') + 1
}

// Plan is the test as planned, without what happened to it (children,
// decision): what a submit starts from and a clone copies. The seed is
// kept (drawn when 0), so a test sent again reaches the same samples.
func (t *ABTest) Plan(draw func() uint64) *ABTest {
	if t == nil {
		return nil
	}
	p := &ABTest{Variants: t.Variants, Percent: t.Percent, Wait: t.Wait, Seed: t.Seed}
	if p.Seed == 0 {
		p.Seed = draw()
	}
	return p
}

// N is how many variants the test has, A included.
func (t *ABTest) N() int { return 1 + len(t.Variants) }

// Band is variant i's sample (1 is A).
func (t *ABTest) Band(i int) *Sample {
	return &Sample{Percent: t.Percent, From: float64(i-1) * t.Percent, Seed: t.Seed}
}

// Pending reports whether the test still has a winner to pick or the
// rest's broadcast to make: the scheduler plans its decision until then.
func (t *ABTest) Pending() bool { return t != nil && !t.Done }

// Validate checks the test's shape against the broadcast it is on: two to
// four variants of valid content, shares that leave a rest, a wait in
// range, and a one-off time (a test is decided once).
func (t *ABTest) Validate(b *Broadcast) error {
	switch n := t.N(); {
	case n < MinVariants:
		return invalid("ab_test.variants", CodeRequired, MinVariants)
	case n > MaxVariants:
		return invalid("ab_test.variants", CodeTooMany, MaxVariants)
	}
	for i := range t.Variants {
		if err := t.Variants[i].Validate(); err != nil {
			return err
		}
	}
	if !(t.Percent > 0 && float64(t.N())*t.Percent < 100) {
		return invalid("ab_test.percent", CodeInvalid, 0)
	}
	if t.Wait < MinABWait || t.Wait > MaxABWait {
		return invalid("ab_test.wait_minutes", CodeInvalid, 0)
	}
	if k := b.Schedule.Kind; k != SendNow && k != SendAt {
		return invalid("ab_test.schedule", CodeInvalid, 0)
	}
	return nil
}

// VariantResult is how one variant did: people it was delivered to, and
// the different people among them who tapped or clicked any button.
type VariantResult struct {
	BroadcastID string
	Delivered   int
	Responded   int
}

// Rate is Responded over Delivered (0 when nothing was delivered).
func (r VariantResult) Rate() float64 {
	if r.Delivered == 0 {
		return 0
	}
	return float64(r.Responded) / float64(r.Delivered)
}

// PickWinner is the variant with the best rate of unique taps and clicks
// over deliveries (1 is A); a tie goes to the earlier variant. 0 when
// nobody responded to any variant: an admin picks.
func PickWinner(rs []VariantResult) int {
	best := 0
	for i, r := range rs {
		if r.Responded > 0 && (best == 0 || r.Rate() > rs[best-1].Rate()) {
			best = i + 1
		}
	}
	return best
}

// ABDecided is published by the broadcasts service when an A/B test's
// time came: the results side by side, and the winner sent to the rest
// (Winner, Rest and By set) or, nobody having tapped, a request for an
// admin to pick (Winner 0).
type ABDecided struct {
	Test    Broadcast
	Results []VariantResult
	Winner  int
	Rest    Broadcast
	// By is who picked: "system" for the rule, else the admin.
	By string
}

// EventName implements Event.
func (e ABDecided) EventName() string {
	if e.Winner == 0 {
		return "ab.ask"
	}
	return "ab.decided"
}
