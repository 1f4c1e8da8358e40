package telegram_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/platformtest"
)

// setContent replaces a stored broadcast's content.
func (r *groupRig) setContent(b herald.Broadcast, c herald.Content) {
	r.t.Helper()
	if _, err := r.st.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Content = c
		return nil
	}); err != nil {
		r.t.Fatal(err)
	}
}

// Formatting typed by an admin reaches Telegram as entities at the right
// UTF-16 offsets, after an emoji (two units) and a personalised name that
// is longer than its placeholder.
func TestFormattedTextArrivesWithEntities(t *testing.T) {
	r := newGroupRig(t, 1)
	r.groups(group(-1001))
	b := r.broadcast("Sale", herald.StatusScheduled)
	text, spans := herald.ParseMarkup("👋 Hi *{name|there}*! <https://shop.example/?a=1&b=2|Shop> & `code`\n_bye_", false)
	r.setContent(b, herald.Content{Kind: herald.TextContent, Text: text, Spans: spans})
	for _, d := range r.start(b) {
		if d.Outcome != herald.Sent {
			t.Fatalf("%s: %s %s", d.Recipient.ID, d.Outcome, d.Reason)
		}
	}
	got := r.fake.Sent(-1001)
	if len(got) != 1 {
		t.Fatalf("got %d messages, want 1", len(got))
	}
	if want := "👋 Hi Group -1001! Shop & code\nbye"; got[0].Text != want {
		t.Errorf("text = %q, want %q", got[0].Text, want)
	}
	want := []platformtest.TelegramEntity{
		{Type: "bold", Offset: 6, Length: 11},
		{Type: "text_link", Offset: 19, Length: 4, URL: "https://shop.example/?a=1&b=2"},
		{Type: "code", Offset: 26, Length: 4},
		{Type: "italic", Offset: 31, Length: 3},
	}
	if diff := cmp.Diff(want, got[0].Entities); diff != "" {
		t.Errorf("entities (-want +got):\n%s", diff)
	}
}

// Formats that Telegram refuses inside code are left out, so the message
// is still accepted; plain text is escaped as before.
func TestHTMLNeverNestsInsideCode(t *testing.T) {
	got := telegram.HTML("a<b> code", []herald.Span{{Start: 5, End: 9, Style: herald.Code}, {Start: 7, End: 9, Style: herald.Bold}})
	if want := "a&lt;b&gt; <code>code</code>"; got != want {
		t.Errorf("HTML = %q, want %q", got, want)
	}
	if got := telegram.HTML("1 < 2 & 3", nil); got != "1 &lt; 2 &amp; 3" {
		t.Errorf("plain HTML = %q", got)
	}
}

func carouselContent() herald.Content {
	return herald.Content{Kind: herald.CarouselContent,
		Cards: []herald.Card{
			{Title: "Boots", Text: "*Warm* for {name|you}", Image: herald.Image{URL: "https://img.example/boots.jpg"}},
			{Title: "Scarf", Text: "No picture"},
			{Title: "Hat", Image: herald.Image{URL: "https://img.example/hat.jpg"}},
		},
		Buttons: []herald.Button{
			{ID: "b1", Label: "Buy boots", Kind: herald.URLButton, URL: "https://shop.example/boots", Card: 0},
			{ID: "b2", Label: "Want it", Kind: herald.ActionButton, Card: 0},
			{ID: "b3", Label: "Buy hat", Kind: herald.URLButton, URL: "https://shop.example/hat", Card: 2},
		}}
}

// A carousel is one message per card, each with its own buttons; when
// Telegram refuses a card (a 429), the run resumes at that card and
// nobody gets a card twice.
func TestCarouselIsOneMessagePerCardAndResumes(t *testing.T) {
	r := newGroupRig(t, 1, func(c *telegram.Config) { c.ChatGap, c.GroupGap = time.Nanosecond, time.Nanosecond })
	r.groups(group(-1001), group(-1002))
	r.fake.Faults.SetRateLimit(1, time.Second)
	b := r.broadcast("Winter", herald.StatusScheduled)
	c := carouselContent()
	c.Cards[0].Text, c.Cards[0].Spans = herald.ParseMarkup(c.Cards[0].Text, false)
	r.setContent(b, c)
	for _, d := range r.start(b) {
		if d.Outcome != herald.Sent {
			t.Errorf("%s: %s %s", d.Recipient.ID, d.Outcome, d.Reason)
		}
	}
	for _, chat := range []int64{-1001, -1002} {
		got := r.fake.Sent(chat)
		if len(got) != 3 {
			t.Fatalf("chat %d got %d messages, want 3 cards: %+v", chat, len(got), got)
		}
		if got[0].Photo == "" || got[1].Photo != "" || got[2].Photo == "" {
			t.Errorf("chat %d: pictures on cards = %q %q %q, want the 1st and 3rd", chat, got[0].Photo, got[1].Photo, got[2].Photo)
		}
		if want := "Boots\n\nWarm for Group " + strconv.FormatInt(chat, 10); got[0].Text != want {
			t.Errorf("card 1 = %q, want %q", got[0].Text, want)
		}
		if !strings.Contains(got[0].ReplyMarkup, "https://shop.example/boots") || !strings.Contains(got[0].ReplyMarkup, "b2") ||
			strings.Contains(got[0].ReplyMarkup, "hat") {
			t.Errorf("card 1 buttons = %s, want boots and b2 only", got[0].ReplyMarkup)
		}
		if got[1].ReplyMarkup != "" || !strings.Contains(got[2].ReplyMarkup, "https://shop.example/hat") {
			t.Errorf("cards 2 and 3 buttons = %q, %q", got[1].ReplyMarkup, got[2].ReplyMarkup)
		}
		if got[0].Entities[0].Type != "bold" {
			t.Errorf("card 1 entities = %+v, want the title bold first", got[0].Entities)
		}
	}
	if d := r.rec.Duplicates("telegram"); len(d) != 0 {
		t.Errorf("sent twice: %v", d)
	}
	if n := len(r.rec.Rejected("telegram")); n == 0 {
		t.Error("Telegram never answered 429: the test did not make a later card fail")
	}
}
