package flows

import (
	"strings"
	"testing"
)

// The summary marks the message's own text as markup, so Slack can show
// its link as a link; /help's syntax examples are prose, shown as written.
func TestRepliesMarkTheMessagesMarkupApartFromProse(t *testing.T) {
	h := newHarness(t)
	link := "<https://shop.example/sale|Winter sale>"
	rs := h.send(`/new "Hi *there*, see ` + link + ` now" to tag:vip on line at 2026-12-01 09:00`)
	var marked []string
	for _, r := range rs {
		if strings.ContainsAny(r.Text, markOpen+markClose) {
			t.Errorf("a mark left in the text: %q", r.Text)
		}
		for _, m := range r.Markup {
			marked = append(marked, r.Text[m.Start:m.End])
		}
	}
	if want := "Hi *there*, see " + link + " now"; len(marked) != 1 || marked[0] != want {
		t.Errorf("marked as markup %q, want the message's text %q", marked, want)
	}
	for _, r := range h.send("/help") {
		if len(r.Markup) > 0 {
			t.Errorf("/help marks %v of %q as markup, want prose only", r.Markup, r.Text)
		}
	}
}

func TestSettleMovesMarksIntoRanges(t *testing.T) {
	for _, tc := range []struct {
		in, text string
		want     []TextRange
	}{
		{"plain", "plain", nil},
		{"a " + asMarkup("*b*") + " c " + asMarkup("<https://x.example|d>"), "a *b* c <https://x.example|d>", []TextRange{{2, 5}, {8, 29}}},
		{"cut " + markOpen + "*b…", "cut *b…", []TextRange{{4, 9}}},
		{"empty " + asMarkup(""), "empty ", nil},
	} {
		r := Reply{Text: tc.in}
		r.settle()
		if r.Text != tc.text || len(r.Markup) != len(tc.want) {
			t.Errorf("settle(%q) = %q %v, want %q %v", tc.in, r.Text, r.Markup, tc.text, tc.want)
			continue
		}
		for i := range tc.want {
			if r.Markup[i] != tc.want[i] {
				t.Errorf("settle(%q) ranges %v, want %v", tc.in, r.Markup, tc.want)
			}
		}
	}
}
