package herald

import (
	"fmt"
	"testing"
	"time"
)

// TestABTestBands: the variants' bands never overlap, so nobody gets two
// variants, and together they take n·Percent of the rank space.
func TestABTestBands(t *testing.T) {
	for _, p := range []float64{15, 33.3, 0.7} {
		tt := &ABTest{Percent: p, Seed: 42, Variants: make([]Content, 2)}
		for i := range 5000 {
			k := SubscriberKey{Platform: LINE, ID: fmt.Sprintf("U%d", i)}
			n := 0
			for v := 1; v <= tt.N(); v++ {
				if tt.Band(v).Takes(k) {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("%v%%: %s is in %d parts", p, k, n)
			}
		}
	}
}

func TestABTestValidate(t *testing.T) {
	text := Content{Kind: TextContent, Text: "B"}
	at := Broadcast{Schedule: Schedule{Kind: SendAt}}
	for _, c := range []struct {
		name  string
		test  ABTest
		b     Broadcast
		field string
	}{
		{"two", ABTest{Variants: []Content{text}, Percent: 10, Wait: time.Hour}, at, ""},
		{"one", ABTest{Percent: 10, Wait: time.Hour}, at, "ab_test.variants"},
		{"five", ABTest{Variants: []Content{text, text, text, text}, Percent: 10, Wait: time.Hour}, at, "ab_test.variants"},
		{"no rest", ABTest{Variants: []Content{text}, Percent: 50, Wait: time.Hour}, at, "ab_test.percent"},
		{"no wait", ABTest{Variants: []Content{text}, Percent: 10}, at, "ab_test.wait_minutes"},
		{"recurring", ABTest{Variants: []Content{text}, Percent: 10, Wait: time.Hour}, Broadcast{Schedule: Schedule{Kind: SendRecurring}}, "ab_test.schedule"},
		{"empty variant", ABTest{Variants: []Content{{Kind: TextContent}}, Percent: 10, Wait: time.Hour}, at, "content.text"},
	} {
		err := c.test.Validate(&c.b)
		got := ""
		if ve, ok := err.(*ValidationError); ok {
			got = ve.Field
		} else if err != nil {
			got = err.Error()
		}
		if got != c.field {
			t.Errorf("%s: %v, want %q", c.name, err, c.field)
		}
	}
}
