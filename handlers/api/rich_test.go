package api

import (
	"testing"
	"time"
)

// A carousel is given as a list of cards, each with its own buttons and
// formatted text in markup; it comes back the same way, its buttons
// numbered across the cards.
func TestCarouselWithMarkupRoundTrip(t *testing.T) {
	r := vipRig(t, Options{})
	body := draft("Winter picks")
	body["content"] = map[string]any{"kind": "carousel", "cards": []map[string]any{
		{"title": "Boots", "markup": "*Warm* boots, <https://shop.example/boots|see them>",
			"image":   map[string]any{"url": "https://img.example/boots.jpg"},
			"buttons": []map[string]any{{"label": "Want", "kind": "action"}}},
		{"title": "Scarf", "text": "Soft", "buttons": []map[string]any{
			{"label": "Shop", "kind": "url", "url": "https://shop.example/scarf"}, {"label": "Later", "kind": "action"}}},
	}}
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, body)
	a.want(t, 201, "carousel")
	content, _ := a.body["content"].(map[string]any)
	cards, _ := content["cards"].([]any)
	if content["kind"] != "carousel" || len(cards) != 2 || content["buttons"] != nil {
		t.Fatalf("content = %s", a.raw)
	}
	first, second := cards[0].(map[string]any), cards[1].(map[string]any)
	if first["text"] != "Warm boots, see them" || first["markup"] != "*Warm* boots, <https://shop.example/boots|see them>" {
		t.Errorf("first card = %v", first)
	}
	ids := func(card map[string]any) (out []any) {
		for _, b := range card["buttons"].([]any) {
			out = append(out, b.(map[string]any)["id"])
		}
		return out
	}
	if got := append(ids(first), ids(second)...); len(got) != 3 || got[0] != "b1" || got[1] != "b2" || got[2] != "b3" {
		t.Errorf("button IDs = %v, want b1 b2 b3 across the cards", got)
	}
	if second["markup"] != nil || second["image"] != nil {
		t.Errorf("second card = %v, want no markup and no image", second)
	}

	long := scheduled("Too long", now.Add(48*time.Hour))
	long["content"] = map[string]any{"kind": "carousel", "cards": []map[string]any{
		{"title": "A", "text": "This card's text is longer than the eighty characters Messenger shows under a card."}}}
	a = r.call(t, "POST", "/api/v1/broadcasts", goodToken, long)
	if code, field := a.errorOf(); a.status != 422 || field != "content.cards.text" {
		t.Errorf("long card text: %d %s %s, want 422 on content.cards.text", a.status, code, field)
	}
}
