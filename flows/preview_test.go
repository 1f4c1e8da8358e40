package flows

import (
	"testing"

	"github.com/heraldbot/herald"
)

// previewOf is the one preview among replies, or nil.
func previewOf(t *testing.T, rs []Reply) *Reply {
	t.Helper()
	var found *Reply
	for i := range rs {
		if rs[i].Preview != nil {
			if found != nil {
				t.Fatalf("two previews in one turn")
			}
			found = &rs[i]
		}
	}
	return found
}

// The summary's preview is the message personalised for a real member of
// the audience (a named user, on Telegram when it is a channel), with its
// links as typed even when clicks are tracked: the preview's taps count
// nothing.
func TestSummaryPreviewIsForARealRecipient(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TrackClicks = true })

	rs := h.send(`/new "Hi {name|there}" to tag:churned on line,telegram at 2026-12-01 09:00`)
	pv := previewOf(t, rs)
	if pv == nil {
		t.Fatalf("no preview before the summary:\n%s", joined(rs))
	}
	if pv.Text != "👁 Preview for User 1000 (Telegram), as the message arrives. Its buttons record no taps here:" ||
		pv.Preview.Content.Text != "Hi User 1000" || pv.Preview.Recipient.Key() != (herald.SubscriberKey{Platform: herald.Telegram, ID: "1000"}) {
		t.Errorf("preview %q for %v: %q; want Telegram user 1000, personalised", pv.Text, pv.Preview.Recipient.Key(), pv.Preview.Content.Text)
	}

	h.press("ed:buttons")
	h.press("btn:url")
	h.send("Shop")
	h.send("https://shop.example.com/w")
	pv = previewOf(t, h.press("done"))
	if pv == nil || len(pv.Preview.Content.Buttons) != 1 || pv.Preview.Content.Buttons[0].URL != "https://shop.example.com/w" {
		t.Fatalf("preview after adding a link: %+v; want the link as typed", pv)
	}

	// A test send (not configured here) shows the summary again, not the
	// preview.
	if pv := previewOf(t, h.press("sum:test")); pv != nil {
		t.Errorf("the preview was posted again after a test send")
	}
}

// Nobody in the audience: no preview, and the summary says so by its count.
func TestSummaryWithoutRecipientsHasNoPreview(t *testing.T) {
	h := newHarness(t)
	rs := h.send(`/new "Hi {name|there}" to tag:nobody on line at 2026-12-01 09:00`)
	if pv := previewOf(t, rs); pv != nil {
		t.Errorf("a preview for an empty audience: %+v", pv)
	}
	mustContain(t, rs, "Summary of")
}

// Formatting stays on the words it marked once the name is filled in: the
// preview's spans move with the text, as a run's do.
func TestSummaryPreviewMovesFormattingWithTheName(t *testing.T) {
	h := newHarness(t)
	rs := h.send(`/new "Hi {name|there}! *50% off* today" to tag:churned on telegram at 2026-12-01 09:00`)
	pv := previewOf(t, rs)
	if pv == nil {
		t.Fatalf("no preview before the summary:\n%s", joined(rs))
	}
	c := pv.Preview.Content
	if got := herald.Markup(c.Text, c.Spans); got != "Hi User 1000! *50% off* today" {
		t.Errorf("preview reads %q (text %q, spans %+v); want the bold on “50%% off”", got, c.Text, c.Spans)
	}
}
