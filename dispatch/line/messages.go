package line

import (
	"encoding/json"
	"fmt"
	"unicode/utf16"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// rawMessage is a message object sent as its own JSON: the SDK's Flex
// structs emit zero values ("flex":0, "wrap":false) that change layouts.
type rawMessage json.RawMessage

// GetType implements messaging_api.MessageInterface.
func (m rawMessage) GetType() string {
	var t struct{ Type string }
	_ = json.Unmarshal(m, &t)
	return t.Type
}

// MarshalJSON sends the message as it is.
func (m rawMessage) MarshalJSON() ([]byte, error) { return m, nil }

// LINE allows 5 message objects per request.
const maxMessages = 5

// messages renders content for LINE: text as text; pictures as image
// messages; a card, or anything with buttons, as a Flex bubble (picture,
// bold title, wrapped text, a button per action).
func (s *Sender) messages(m *dispatch.Message) ([]messaging_api.MessageInterface, error) {
	c := &m.Content
	var out []any
	if c.Kind == herald.CardContent || len(c.Buttons) > 0 {
		out = append(out, s.bubble(m.BroadcastID, c))
	} else {
		if c.Text != "" {
			out = append(out, map[string]any{"type": "text", "text": c.Text})
		}
		for _, u := range dispatch.ImageURLs(c.Images, s.cfg.MediaURL) {
			if len(out) == maxMessages {
				break // LINE's cap; Herald's validation warns admins about it
			}
			out = append(out, map[string]any{"type": "image", "originalContentUrl": u, "previewImageUrl": u})
		}
	}
	msgs := make([]messaging_api.MessageInterface, len(out))
	for i, v := range out {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("line: render: %w", err)
		}
		msgs[i] = rawMessage(b)
	}
	return msgs, nil
}

func (s *Sender) bubble(broadcastID string, c *herald.Content) map[string]any {
	var body []any
	if c.Title != "" {
		body = append(body, map[string]any{"type": "text", "text": c.Title, "weight": "bold", "size": "lg", "wrap": true})
	}
	if c.Text != "" {
		body = append(body, map[string]any{"type": "text", "text": c.Text, "wrap": true})
	}
	bubble := map[string]any{"type": "bubble"}
	if imgs := dispatch.ImageURLs(c.Images, s.cfg.MediaURL); len(imgs) > 0 {
		bubble["hero"] = map[string]any{"type": "image", "url": imgs[0], "size": "full", "aspectMode": "cover", "aspectRatio": "20:13"}
	}
	if len(body) > 0 {
		bubble["body"] = map[string]any{"type": "box", "layout": "vertical", "spacing": "md", "contents": body}
	}
	if len(c.Buttons) > 0 {
		var buttons []any
		for _, b := range c.Buttons {
			buttons = append(buttons, map[string]any{"type": "button", "style": "link", "action": action(broadcastID, b)})
		}
		bubble["footer"] = map[string]any{"type": "box", "layout": "vertical", "spacing": "sm", "contents": buttons}
	}
	return map[string]any{"type": "flex", "altText": altText(c), "contents": bubble}
}

func action(broadcastID string, b herald.Button) map[string]any {
	if b.Kind == herald.URLButton {
		return map[string]any{"type": "uri", "label": b.Label, "uri": b.URL}
	}
	return map[string]any{"type": "postback", "label": b.Label, "data": herald.EncodePostback(broadcastID, b.ID), "displayText": b.Label}
}

// altText is what notifications and old clients show: LINE caps it at 400
// UTF-16 code units.
func altText(c *herald.Content) string {
	s := c.Title
	if s == "" {
		s = c.Text
	}
	if s == "" {
		s = "📢"
	}
	r := []rune(s)
	if len(utf16.Encode(r)) <= 400 {
		return s
	}
	for len(utf16.Encode(r)) > 399 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
