package messenger

import (
	"unicode/utf8"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// The Send API's limits on templates.
const (
	maxButtonText = 640 // button template text
	maxSubtitle   = 80  // generic template subtitle
	maxButtons    = 3
)

// render turns content into Send API messages, in order: text as text (or
// a button template when it has buttons); pictures as image attachments; a
// card as a generic template (its text before it when too long for the
// subtitle); a carousel as one generic template. Messenger shows no inline
// styles: formatted text goes as plain text, links as their URLs.
func (s *Sender) render(broadcastID string, c *herald.Content) []any {
	if c.Kind == herald.CarouselContent {
		return []any{s.carousel(broadcastID, c)}
	}
	buttons := s.buttons(broadcastID, c.Buttons)
	images := dispatch.ImageURLs(c.Images, s.cfg.MediaURL)
	text := herald.PlainText(c.Text, c.Spans) // no inline styles; links as URLs
	var out []any
	if c.Kind == herald.CardContent {
		el := map[string]any{"title": c.Title}
		if utf8.RuneCountInString(text) <= maxSubtitle {
			if text != "" {
				el["subtitle"] = text
			}
		} else {
			out = append(out, map[string]any{"text": text})
		}
		if len(images) > 0 {
			el["image_url"] = images[0]
		}
		if len(buttons) > 0 {
			el["buttons"] = buttons
		}
		return append(out, template(map[string]any{"template_type": "generic", "elements": []any{el}}))
	}
	for _, u := range images {
		out = append(out, map[string]any{"attachment": map[string]any{"type": "image",
			"payload": map[string]any{"url": u, "is_reusable": true}}})
	}
	switch {
	case len(buttons) > 0 && text != "" && utf8.RuneCountInString(text) <= maxButtonText:
		out = append(out, template(map[string]any{"template_type": "button", "text": text, "buttons": buttons}))
	case len(buttons) > 0:
		if text != "" {
			out = append(out, map[string]any{"text": text})
		}
		out = append(out, template(map[string]any{"template_type": "button", "text": "👇", "buttons": buttons}))
	case text != "":
		out = append(out, map[string]any{"text": text})
	}
	return out
}

// carousel is a generic template with an element per card (up to 10),
// each with its picture, title, text as subtitle and its own buttons: one
// request. A subtitle longer than Messenger's 80 characters (a card's link
// written out as its URL) is cut with an ellipsis.
func (s *Sender) carousel(broadcastID string, c *herald.Content) map[string]any {
	els := make([]any, len(c.Cards))
	for i, k := range c.Cards {
		el := map[string]any{"title": k.Title}
		if text := []rune(herald.PlainText(k.Text, k.Spans)); len(text) > maxSubtitle {
			el["subtitle"] = string(text[:maxSubtitle-1]) + "…"
		} else if len(text) > 0 {
			el["subtitle"] = string(text)
		}
		if urls := dispatch.ImageURLs([]herald.Image{k.Image}, s.cfg.MediaURL); len(urls) > 0 {
			el["image_url"] = urls[0]
		}
		if bs := s.buttons(broadcastID, c.CardButtons(i)); len(bs) > 0 {
			el["buttons"] = bs
		}
		els[i] = el
	}
	return template(map[string]any{"template_type": "generic", "elements": els})
}

func template(payload map[string]any) map[string]any {
	return map[string]any{"attachment": map[string]any{"type": "template", "payload": payload}}
}

func (s *Sender) buttons(broadcastID string, bs []herald.Button) []any {
	var out []any
	for i, b := range bs {
		if i == maxButtons {
			break // Herald's validation keeps Messenger broadcasts at 3
		}
		if b.Kind == herald.URLButton {
			out = append(out, map[string]any{"type": "web_url", "url": b.URL, "title": b.Label})
		} else {
			out = append(out, map[string]any{"type": "postback", "title": b.Label, "payload": herald.EncodePostback(broadcastID, b.ID)})
		}
	}
	return out
}
