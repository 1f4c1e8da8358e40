package line

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// LINE has no inline styles: bold and code arrive as plain words, a link
// as its words and URL so it still opens.
func TestFormattingDegradesToPlainTextWithLinks(t *testing.T) {
	s, _, rec := setup(t)
	text, spans := herald.ParseMarkup("*Sale* today: <https://shop.example/sale|see it> or `CODE10`", false)
	user := "U00000000000000000000000000000001"
	if _, err := s.Send(context.Background(), &dispatch.Message{BroadcastID: "B-7K2Q", To: to(user), RetryKey: key1,
		Content: herald.Content{Kind: herald.TextContent, Text: text, Spans: spans}}); err != nil {
		t.Fatal(err)
	}
	got := rec.To("line", user)
	if len(got) != 1 {
		t.Fatalf("deliveries %+v, want one push", got)
	}
	if want := `[{"text":"Sale today: see it (https://shop.example/sale) or CODE10","type":"text"}]`; got[0].Content != want {
		t.Errorf("content = %s, want %s", got[0].Content, want)
	}
}

// A carousel is one Flex carousel message: a bubble per card, each with
// its own picture, title, text and buttons, in one push with one retry key.
func TestCarouselIsOneFlexCarousel(t *testing.T) {
	s, _, rec := setup(t)
	c := herald.Content{Kind: herald.CarouselContent,
		Cards: []herald.Card{
			{Title: "Ramen", Text: "Rich broth", Image: herald.Image{URL: "https://img.example/ramen.jpg"}},
			{Title: "Udon", Text: "Thick noodles"},
		},
		Buttons: []herald.Button{
			{ID: "b1", Label: "Order ramen", Kind: herald.ActionButton, Card: 0},
			{ID: "b2", Label: "Menu", Kind: herald.URLButton, URL: "https://shop.example/udon", Card: 1},
		}}
	user := "U00000000000000000000000000000002"
	if _, err := s.Send(context.Background(), &dispatch.Message{BroadcastID: "B-7K2Q", To: to(user), RetryKey: key1, Content: c}); err != nil {
		t.Fatal(err)
	}
	got := rec.To("line", user)
	if len(got) != 1 {
		t.Fatalf("deliveries %+v, want one push", got)
	}
	var msgs []struct {
		Type     string
		AltText  string
		Contents struct {
			Type     string
			Contents []json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(got[0].Content), &msgs); err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].Type != "flex" || msgs[0].Contents.Type != "carousel" || len(msgs[0].Contents.Contents) != 2 {
		t.Fatalf("content = %s, want one flex carousel of two bubbles", got[0].Content)
	}
	first, second := string(msgs[0].Contents.Contents[0]), string(msgs[0].Contents.Contents[1])
	for _, w := range []string{`"url":"https://img.example/ramen.jpg"`, `"text":"Ramen"`, `"data":"hb1:B-7K2Q:b1"`} {
		if !strings.Contains(first, w) {
			t.Errorf("first bubble %s lacks %s", first, w)
		}
	}
	if strings.Contains(first, "udon") || strings.Contains(second, "hero") || !strings.Contains(second, `"uri":"https://shop.example/udon"`) {
		t.Errorf("bubbles mix their cards: %s | %s", first, second)
	}
	if msgs[0].AltText != "Ramen" {
		t.Errorf("altText = %q, want the first card's title", msgs[0].AltText)
	}
}
