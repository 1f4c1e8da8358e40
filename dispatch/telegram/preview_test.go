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

// The console shows the same rendering: the text as sent, with its
// formatting marks, and the buttons in a row.
func TestPreviewTextIsTheTelegramRendering(t *testing.T) {
	s, _, _ := setup(t)
	c := herald.Content{Kind: herald.CardContent, Title: "New menu", Text: "Fish & chips",
		Images: []herald.Image{{URL: "https://img.example/c.jpg"}}, Buttons: buttons}

	got := s.PreviewText(&c)

	want := "🖼 https://img.example/c.jpg\n<b>New menu</b>\n\nFish &amp; chips\n[ Open ↗ ] [ I'm in ]"
	if got != want {
		t.Errorf("PreviewText =\n%s\nwant\n%s", got, want)
	}
}
