package platformtest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// lineMessage holds the fields of a message object the fake checks.
type lineMessage struct {
	Type               string          `json:"type"`
	Text               string          `json:"text"`
	OriginalContentURL string          `json:"originalContentUrl"`
	PreviewImageURL    string          `json:"previewImageUrl"`
	AltText            string          `json:"altText"`
	Contents           json.RawMessage `json:"contents"`
	PackageID          string          `json:"packageId"`
	StickerID          string          `json:"stickerId"`
	Template           *struct {
		Type    string            `json:"type"`
		Text    string            `json:"text"`
		Actions []json.RawMessage `json:"actions"`
		Columns []json.RawMessage `json:"columns"`
	} `json:"template"`
}

// validateLINEMessages checks the messages array like LINE does and
// returns what is wrong, each with the property path real LINE reports
// ("messages[0].text").
func validateLINEMessages(msgs []lineMessage) []lineDetail {
	if msgs == nil { // absent or null
		return []lineDetail{{Message: "must be specified", Property: "messages"}}
	}
	if len(msgs) < 1 || len(msgs) > 5 {
		return []lineDetail{{Message: "Size must be between 1 and 5", Property: "messages"}}
	}
	var out []lineDetail
	for i, m := range msgs {
		p := "messages[" + strconv.Itoa(i) + "]."
		add := func(field, msg string) { out = append(out, lineDetail{Message: msg, Property: p + field}) }
		switch m.Type {
		case "text":
			switch n := lineLen(m.Text); {
			case n == 0:
				add("text", "must be specified")
			case n > 5000:
				add("text", "Length must be between 0 and 5000")
			}
		case "image", "video":
			checkLINEURL(add, "originalContentUrl", m.OriginalContentURL)
			checkLINEURL(add, "previewImageUrl", m.PreviewImageURL)
		case "template":
			checkAltText(add, m.AltText)
			switch {
			case m.Template == nil:
				add("template", "must be specified")
			case m.Template.Type == "buttons":
				if m.Template.Text == "" {
					add("template.text", "must be specified")
				} else if lineLen(m.Template.Text) > 160 {
					add("template.text", "Length must be between 0 and 160")
				}
				if n := len(m.Template.Actions); n < 1 || n > 4 {
					add("template.actions", "Size must be between 1 and 4")
				}
			case m.Template.Type == "confirm":
				if len(m.Template.Actions) != 2 {
					add("template.actions", "Size must be between 2 and 2")
				}
			case m.Template.Type == "carousel" || m.Template.Type == "image_carousel":
				if n := len(m.Template.Columns); n < 1 || n > 10 {
					add("template.columns", "Size must be between 1 and 10")
				}
			default:
				add("template.type", "Invalid value")
			}
		case "flex":
			checkAltText(add, m.AltText)
			if len(m.Contents) == 0 || string(m.Contents) == "null" {
				add("contents", "must be specified")
			} else {
				checkFlexContainer(add, m.Contents)
			}
		case "sticker":
			if m.PackageID == "" {
				add("packageId", "must be specified")
			}
			if m.StickerID == "" {
				add("stickerId", "must be specified")
			}
		case "audio", "location", "imagemap", "textV2", "coupon":
			// Accepted as they come: Herald does not send these.
		case "":
			add("type", "must be specified")
		default:
			add("type", "Invalid value")
		}
	}
	return out
}

// checkFlexContainer checks a Flex message's container: a bubble, or a
// carousel of 1 to 12 bubbles.
func checkFlexContainer(add func(field, msg string), raw json.RawMessage) {
	var c struct {
		Type     string `json:"type"`
		Contents []struct {
			Type string `json:"type"`
		} `json:"contents"`
	}
	if json.Unmarshal(raw, &c) != nil {
		add("contents", "Invalid value")
		return
	}
	switch c.Type {
	case "bubble":
	case "carousel":
		if n := len(c.Contents); n < 1 || n > 12 {
			add("contents.contents", "Size must be between 1 and 12")
		}
		for i, b := range c.Contents {
			if b.Type != "bubble" {
				add("contents.contents["+strconv.Itoa(i)+"].type", "Invalid value")
			}
		}
	default:
		add("contents.type", "Invalid value")
	}
}

func checkAltText(add func(field, msg string), alt string) {
	switch {
	case alt == "":
		add("altText", "must be specified")
	case lineLen(alt) > 400:
		add("altText", "Length must be between 0 and 400")
	}
}

// checkLINEURL applies LINE's rule for media URLs: HTTPS, at most 2000
// characters.
func checkLINEURL(add func(field, msg string), field, u string) {
	switch {
	case u == "":
		add(field, "must be specified")
	case !strings.HasPrefix(u, "https://"):
		add(field, "must be a valid HTTPS URL")
	case len(u) > 2000:
		add(field, "Length must be between 0 and 2000")
	}
}

// lineLen counts characters the way LINE does: UTF-16 code units, so an
// emoji outside the Basic Multilingual Plane counts as two.
func lineLen(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
