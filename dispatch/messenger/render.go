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
// subtitle).
func (s *Sender) render(broadcastID string, c *herald.Content) []any {
	buttons := s.buttons(broadcastID, c.Buttons)
	images := dispatch.ImageURLs(c.Images, s.cfg.MediaURL)
	var out []any
	if c.Kind == herald.CardContent {
		el := map[string]any{"title": c.Title}
		if utf8.RuneCountInString(c.Text) <= maxSubtitle {
			if c.Text != "" {
				el["subtitle"] = c.Text
			}
		} else {
			out = append(out, map[string]any{"text": c.Text})
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
	case len(buttons) > 0 && c.Text != "" && utf8.RuneCountInString(c.Text) <= maxButtonText:
		out = append(out, template(map[string]any{"template_type": "button", "text": c.Text, "buttons": buttons}))
	case len(buttons) > 0:
		if c.Text != "" {
			out = append(out, map[string]any{"text": c.Text})
		}
		out = append(out, template(map[string]any{"template_type": "button", "text": "👇", "buttons": buttons}))
	case c.Text != "":
		out = append(out, map[string]any{"text": c.Text})
	}
	return out
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
