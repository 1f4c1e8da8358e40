package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// A preview goes into the admin chat through the requests a recipient's
// message takes, with action buttons that tie nothing to a broadcast.
func TestPreviewSendsTheMessageWithInertButtons(t *testing.T) {
	s, fake, _ := setup(t)
	c := herald.Content{Kind: herald.ImageContent, Text: "Two <new> shoes",
		Images: []herald.Image{{URL: "https://img.example/a.jpg"}, {URL: "https://img.example/b.jpg"}}, Buttons: buttons}

	if err := s.Preview(context.Background(), "-100500", &c, "preview"); err != nil {
		t.Fatal(err)
	}

	sent := fake.Sent(-100500)
	if len(sent) != 3 || sent[0].Text != "Two <new> shoes" || sent[0].Photo == "" || sent[2].Text != "👇" {
		t.Fatalf("admin chat got %+v; want the album with its caption, then the buttons", sent)
	}
	kb := sent[2].ReplyMarkup
	if !strings.Contains(kb, `"url":"https://example.com/x"`) || !strings.Contains(kb, `"callback_data":"preview"`) || strings.Contains(kb, "hb1:") {
		t.Errorf("preview keyboard %s: want the link as is and the action button inert", kb)
	}
}

// The console shows the same rendering: the picture, the title in bold
// above the text, the formatting in the markup the admin types (not the
// HTML sent, whose escapes would read as part of the message), and the
// buttons in a row.
func TestPreviewTextIsTheTelegramRendering(t *testing.T) {
	s, _, _ := setup(t)
	text, spans := herald.ParseMarkup("Fish & <chips>, *hot* at <https://menu.example/?a=1&b=2|our menu>", false)
	c := herald.Content{Kind: herald.CardContent, Title: "New menu", Text: text, Spans: spans,
		Images: []herald.Image{{URL: "https://img.example/c.jpg"}}, Buttons: buttons}

	got := s.PreviewText(&c)

	want := "🖼 https://img.example/c.jpg\n*New menu*\n\nFish & <chips>, *hot* at <https://menu.example/?a=1&b=2|our menu>\n[ Open ↗ ] [ I'm in ]"
	if got != want {
		t.Errorf("PreviewText =\n%s\nwant\n%s", got, want)
	}
}

// A carousel is written out as Telegram gets it: one message per card,
// each with its picture, title, formatted text and only its own buttons.
func TestPreviewTextWritesACarouselCardByCard(t *testing.T) {
	s, _, _ := setup(t)
	text, spans := herald.ParseMarkup("_Warm_ boots", false)
	c := herald.Content{Kind: herald.CarouselContent,
		Cards: []herald.Card{{Title: "Boots", Text: text, Spans: spans, Image: herald.Image{URL: "https://img.example/boots.jpg"}},
			{Title: "Scarf"}},
		Buttons: []herald.Button{{ID: "b1", Label: "Want", Kind: herald.ActionButton},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/scarf", Card: 1}}}

	got := s.PreviewText(&c)

	want := "🖼 https://img.example/boots.jpg\n*Boots*\n\n_Warm_ boots\n[ Want ]\n────────\n*Scarf*\n[ Shop ↗ ]"
	if got != want {
		t.Errorf("PreviewText =\n%s\nwant\n%s", got, want)
	}
}
