package platformtest

import (
	"encoding/json"
	"strings"
)

// tgPreviewOptions is link_preview_options as the Bot API reads it; the
// fields about how the preview looks are accepted and not kept.
type tgPreviewOptions struct {
	IsDisabled bool   `json:"is_disabled"`
	URL        string `json:"url"`
}

// linkPreview is the address Telegram fetches to draw a sent message's
// link preview: link_preview_options' url, else the message's first link
// (a text_link entity or an address in the text, outside code); "" when
// the preview is disabled or there is no link. Telegram's servers fetch
// it, so a tracked link there is fetched once per recipient.
func linkPreview(raw, text string, entities []TelegramEntity) (string, *tgError) {
	var o tgPreviewOptions
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &o); err != nil {
			return "", tgBad("can't parse link preview options JSON object")
		}
	}
	switch {
	case o.IsDisabled:
		return "", nil
	case o.URL != "":
		return o.URL, nil
	}
	first, at := "", -1
	for _, e := range entities {
		if e.Type == "text_link" && (at < 0 || e.Offset < at) {
			first, at = e.URL, e.Offset
		}
	}
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "http")
		if j < 0 {
			break
		}
		i += j
		rest := text[i:]
		if strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://") {
			off := utf16Len(text[:i])
			if !inCode(off, entities) {
				if at < 0 || off < at {
					end := strings.IndexAny(rest, " \t\n\"<>")
					if end < 0 {
						end = len(rest)
					}
					first = rest[:end]
				}
				break
			}
		}
		i += len("http")
	}
	return first, nil
}

// inCode reports whether the UTF-16 offset off lies in a code or pre
// entity, where Telegram finds no links.
func inCode(off int, entities []TelegramEntity) bool {
	for _, e := range entities {
		if (e.Type == "code" || e.Type == "pre") && off >= e.Offset && off < e.Offset+e.Length {
			return true
		}
	}
	return false
}
