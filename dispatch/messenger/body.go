package messenger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/heraldbot/herald"
)

// A broadcast sends the same content to every recipient, one request each:
// rendering it into maps and encoding them by reflection for each request
// was most of this sender's CPU besides the request itself
// (`bot bench dispatch -channel messenger -cpuprofile`). The sender keeps
// the encoded parts of the content it rendered last and writes each
// request's envelope around them by hand, in the same bytes json.Marshal
// of request gave.

// rendered is content encoded once: one JSON message per part.
type rendered struct {
	broadcastID string
	content     herald.Content // what render read: compared by sameRendering
	parts       [][]byte
}

// renderCache holds the last content rendered.
type renderCache struct {
	mu   sync.Mutex
	last *rendered
}

// parts returns the encoded parts of c, rendering it only when it differs
// from the content rendered last.
func (s *Sender) parts(broadcastID string, c *herald.Content) ([][]byte, error) {
	s.cache.mu.Lock()
	last := s.cache.last
	s.cache.mu.Unlock()
	if last != nil && last.broadcastID == broadcastID && sameRendering(&last.content, c) {
		return last.parts, nil
	}
	msgs := s.render(broadcastID, c)
	r := &rendered{broadcastID: broadcastID, content: *c, parts: make([][]byte, len(msgs))}
	for i, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("messenger: encode: %w", err)
		}
		r.parts[i] = b
	}
	s.cache.mu.Lock()
	s.cache.last = r
	s.cache.mu.Unlock()
	return r.parts, nil
}

// sameRendering reports whether a and b render alike: the fields render
// reads are equal (a button's tag and attribute actions are not sent).
func sameRendering(a, b *herald.Content) bool {
	if a.Kind != b.Kind || a.Text != b.Text || a.Title != b.Title || !slices.Equal(a.Spans, b.Spans) ||
		len(a.Images) != len(b.Images) || len(a.Buttons) != len(b.Buttons) || !slices.EqualFunc(a.Cards, b.Cards, sameCard) {
		return false
	}
	for i := range a.Images {
		if a.Images[i].URL != b.Images[i].URL || a.Images[i].MediaID != b.Images[i].MediaID {
			return false
		}
	}
	for i := range a.Buttons {
		x, y := &a.Buttons[i], &b.Buttons[i]
		if x.ID != y.ID || x.Label != y.Label || x.Kind != y.Kind || x.URL != y.URL || x.Card != y.Card {
			return false
		}
	}
	return true
}

// envelope is a request's fields besides its message: the recipient's
// PSID, the messaging type (a constant word) and the tag, JSON-encoded
// once per Send.
type envelope struct {
	recipient          string
	messagingType, tag string
}

// appendBody writes the Send API body of one part: the fields in
// request's order, as json.Marshal(request) writes them.
func (s *Sender) appendBody(b []byte, e *envelope, part []byte) []byte {
	b = append(b, `{"recipient":{"id":`...)
	b = appendJSONString(b, e.recipient)
	b = append(b, `},"messaging_type":"`...)
	b = append(b, e.messagingType...)
	b = append(b, '"')
	if len(e.tag) > 0 {
		b = append(b, `,"tag":`...)
		b = append(b, e.tag...)
	}
	b = append(b, `,"message":`...)
	b = append(b, part...)
	return append(b, s.tail...) // the token and its proof, encoded once
}

// appendJSONString appends s as a JSON string; IDs and the few fixed
// words need no escaping and skip the encoder.
func appendJSONString(b []byte, s string) []byte {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	if plain {
		return strconv.AppendQuote(b, s)
	}
	q, _ := json.Marshal(s) // a string always encodes
	return append(b, q...)
}

// newTail is the body's end after the message: the access token and the
// appsecret_proof, if any.
func newTail(token, proof string) []byte {
	b := appendJSONString([]byte(`,"access_token":`), token)
	if proof != "" {
		b = appendJSONString(append(b, `,"appsecret_proof":`...), proof)
	}
	return append(b, '}')
}

// messageID reads message_id from a successful answer,
// {"recipient_id":"…","message_id":"…"}, without the decoder when it
// holds no escapes.
func messageID(raw []byte) string {
	const key = `"message_id":"`
	if i := bytes.Index(raw, []byte(key)); i >= 0 {
		rest := raw[i+len(key):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 && bytes.IndexByte(rest[:j], '\\') < 0 {
			return string(rest[:j])
		}
	}
	var ok struct {
		MessageID string `json:"message_id"`
	}
	_ = json.Unmarshal(raw, &ok)
	return ok.MessageID
}

// sameCard reports whether two carousel cards render alike.
func sameCard(a, b herald.Card) bool {
	return a.Title == b.Title && a.Text == b.Text && slices.Equal(a.Spans, b.Spans) && a.Image == b.Image
}
