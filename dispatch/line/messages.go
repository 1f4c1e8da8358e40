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

// parts renders content for LINE (see messages) and cuts it into requests
// of at most five messages each, in order.
func (s *Sender) parts(m *dispatch.Message) ([][]messaging_api.MessageInterface, error) {
	msgs, err := s.messages(m)
	if err != nil {
		return nil, err
	}
	var parts [][]messaging_api.MessageInterface
	for len(msgs) > maxMessages {
		parts, msgs = append(parts, msgs[:maxMessages:maxMessages]), msgs[maxMessages:]
	}
	return append(parts, msgs), nil
}

// messages renders content for LINE in the order people see it. Text is a
// text message. Pictures are image messages, all of them (up to
// herald.MaxImages), with the caption after them as text: LINE images
// carry none. A card, and text with buttons, is one Flex bubble (a
// picture, bold title, wrapped text, a button per action); pictures with
// buttons are the pictures, then a bubble with the text and buttons (one
// picture goes in the bubble).
//
// Why not an image carousel for many pictures: its columns are square
// crops with a required tap action and a label, not the pictures as sent.
func (s *Sender) messages(m *dispatch.Message) ([]messaging_api.MessageInterface, error) {
	c := &m.Content
	images := dispatch.ImageURLs(c.Images, s.cfg.MediaURL)
	var out []any
	switch {
	case c.Kind == herald.CarouselContent:
		out = append(out, carousel(m.BroadcastID, c, s.cfg.MediaURL))
	case c.Kind == herald.CardContent || len(c.Buttons) > 0 && len(images) <= 1:
		out = append(out, bubble(m.BroadcastID, c, images))
	case len(c.Buttons) > 0:
		out = appendImages(out, images)
		out = append(out, bubble(m.BroadcastID, c, nil))
	default:
		out = appendImages(out, images)
		if c.Text != "" {
			out = append(out, map[string]any{"type": "text", "text": herald.PlainText(c.Text, c.Spans)})
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

func appendImages(out []any, urls []string) []any {
	for _, u := range urls {
		out = append(out, map[string]any{"type": "image", "originalContentUrl": u, "previewImageUrl": u})
	}
	return out
}

// bubble is a Flex message of one bubble with images[0], if any, as its
// picture.
func bubble(broadcastID string, c *herald.Content, images []string) map[string]any {
	var image string
	if len(images) > 0 {
		image = images[0]
	}
	return map[string]any{"type": "flex", "altText": altText(c),
		"contents": bubbleOf(broadcastID, c.Title, herald.PlainText(c.Text, c.Spans), image, c.Buttons)}
}

// carousel is a Flex carousel, a bubble per card with the card's buttons.
// LINE has no inline styles: a card's text is plain, its links as URLs.
func carousel(broadcastID string, c *herald.Content, mediaURL func(string) string) map[string]any {
	bubbles := make([]any, len(c.Cards))
	for i, k := range c.Cards {
		var image string
		if urls := dispatch.ImageURLs([]herald.Image{k.Image}, mediaURL); len(urls) > 0 {
			image = urls[0]
		}
		bubbles[i] = bubbleOf(broadcastID, k.Title, herald.PlainText(k.Text, k.Spans), image, c.CardButtons(i))
	}
	return map[string]any{"type": "flex", "altText": altText(c),
		"contents": map[string]any{"type": "carousel", "contents": bubbles}}
}

// bubbleOf is a Flex bubble: a picture (image, if any), bold title,
// wrapped text, a button per action.
func bubbleOf(broadcastID, title, text, image string, buttons []herald.Button) map[string]any {
	var body []any
	if title != "" {
		body = append(body, map[string]any{"type": "text", "text": title, "weight": "bold", "size": "lg", "wrap": true})
	}
	if text != "" {
		body = append(body, map[string]any{"type": "text", "text": text, "wrap": true})
	}
	bubble := map[string]any{"type": "bubble"}
	if image != "" {
		bubble["hero"] = map[string]any{"type": "image", "url": image, "size": "full", "aspectMode": "cover", "aspectRatio": "20:13"}
	}
	if len(body) > 0 {
		bubble["body"] = map[string]any{"type": "box", "layout": "vertical", "spacing": "md", "contents": body}
	}
	if len(buttons) > 0 {
		var bs []any
		for _, b := range buttons {
			bs = append(bs, map[string]any{"type": "button", "style": "link", "action": action(broadcastID, b)})
		}
		bubble["footer"] = map[string]any{"type": "box", "layout": "vertical", "spacing": "sm", "contents": bs}
	}
	return bubble
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
	if s == "" && len(c.Cards) > 0 {
		s = c.Cards[0].Title
	}
	if s == "" {
		s = herald.PlainText(c.Text, c.Spans)
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

// Parts implements dispatch.PartCounter: the requests content takes to
// one recipient, as Send splits it.
func (s *Sender) Parts(c *herald.Content) int {
	parts, err := s.parts(&dispatch.Message{Content: *c})
	if err != nil {
		return 1
	}
	return len(parts)
}
