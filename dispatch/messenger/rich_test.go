package messenger

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// Messenger has no inline styles: formatted text goes as plain text with
// links written out, also in a button template.
func TestFormattingDegradesToPlainTextWithLinks(t *testing.T) {
	s, fake, rec := setup(t)
	fake.Interacted("P1", time.Now())
	text, spans := herald.ParseMarkup("_New_ hours: <https://shop.example/hours|here>", false)
	c := herald.Content{Kind: herald.TextContent, Text: text, Spans: spans,
		Buttons: []herald.Button{{ID: "b1", Label: "Yes", Kind: herald.ActionButton}}}
	if _, err := s.Send(context.Background(), msg("P1", c)); err != nil {
		t.Fatal(err)
	}
	got := rec.To("messenger", "P1")
	if len(got) != 1 || !strings.Contains(got[0].Content, `"text":"New hours: here (https://shop.example/hours)"`) {
		t.Errorf("deliveries %+v, want one button template with the plain text", got)
	}
}

// A carousel is one generic template with an element per card, each with
// its own buttons.
func TestCarouselIsOneGenericTemplate(t *testing.T) {
	s, fake, rec := setup(t)
	fake.Interacted("P2", time.Now())
	c := herald.Content{Kind: herald.CarouselContent, Cards: make([]herald.Card, herald.MaxCards)}
	for i := range c.Cards {
		c.Cards[i] = herald.Card{Title: "Card " + string(rune('A'+i)), Text: "about " + string(rune('A'+i)),
			Image: herald.Image{URL: "https://img.example/" + string(rune('a'+i)) + ".jpg"}}
	}
	c.Buttons = []herald.Button{
		{ID: "b1", Label: "A1", Kind: herald.ActionButton, Card: 0},
		{ID: "b2", Label: "J1", Kind: herald.URLButton, URL: "https://shop.example/j", Card: 9},
		{ID: "b3", Label: "J2", Kind: herald.ActionButton, Card: 9},
	}
	if _, err := s.Send(context.Background(), msg("P2", c)); err != nil {
		t.Fatal(err)
	}
	got := rec.To("messenger", "P2")
	if len(got) != 1 {
		t.Fatalf("deliveries %+v, want one request", got)
	}
	var m struct {
		Attachment struct {
			Payload struct {
				TemplateType string `json:"template_type"`
				Elements     []struct {
					Title, Subtitle string
					ImageURL        string `json:"image_url"`
					Buttons         []struct{ Title string }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(got[0].Content), &m); err != nil {
		t.Fatal(err)
	}
	els := m.Attachment.Payload.Elements
	if m.Attachment.Payload.TemplateType != "generic" || len(els) != herald.MaxCards {
		t.Fatalf("content = %s, want a generic template of %d elements", got[0].Content, herald.MaxCards)
	}
	if els[0].Title != "Card A" || els[0].Subtitle != "about A" || els[0].ImageURL != "https://img.example/a.jpg" ||
		len(els[0].Buttons) != 1 || len(els[9].Buttons) != 2 || len(els[5].Buttons) != 0 {
		t.Errorf("elements = %+v, want each card with its own buttons", els)
	}
}
