package platformtest

import (
	"html"
	"strings"
)

// TelegramEntity is a formatted stretch of a message as the Bot API
// reports it to clients: offsets and lengths in UTF-16 code units of the
// text the user sees.
type TelegramEntity struct {
	Type   string // bold, italic, code, pre, text_link, underline, strikethrough, spoiler, blockquote
	Offset int
	Length int
	URL    string // text_link only
}

// htmlEntities reads the entities of text that passed renderHTML (balanced,
// supported tags), the way the Bot API builds them from HTML parse mode.
func htmlEntities(s string) []TelegramEntity {
	if !strings.Contains(s, "<") {
		return nil
	}
	var out []TelegramEntity
	type opened struct {
		at  int // index into out
		pos int
	}
	var stack []opened
	pos := 0 // UTF-16 units of visible text so far
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			pos += utf16Len(html.UnescapeString(s[i : i+j]))
			i += j
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		tag := s[i+1 : i+end]
		i += end + 1
		if strings.HasPrefix(tag, "/") {
			o := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			out[o.at].Length = pos - o.pos
			continue
		}
		name, attrs, _ := strings.Cut(tag, " ")
		e := TelegramEntity{Type: entityTypes[strings.ToLower(name)], Offset: pos}
		if e.Type == "text_link" {
			if _, href, ok := strings.Cut(attrs, `href="`); ok {
				href, _, _ = strings.Cut(href, `"`)
				e.URL = html.UnescapeString(href)
			}
		}
		stack = append(stack, opened{len(out), pos})
		out = append(out, e)
	}
	return out
}

var entityTypes = map[string]string{
	"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline", "ins": "underline",
	"s": "strikethrough", "strike": "strikethrough", "del": "strikethrough", "span": "spoiler", "tg-spoiler": "spoiler",
	"a": "text_link", "code": "code", "pre": "pre", "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}

// entitiesOf is the entities of a sent text in its parse mode (HTML only).
func entitiesOf(text, mode string) []TelegramEntity {
	if !strings.EqualFold(mode, "html") {
		return nil
	}
	return htmlEntities(text)
}
