package platformtest

import (
	"bytes"
	"encoding/json"
	"html"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
)

// Limits of the Bot API, counted in UTF-16 code units after entity parsing.
const (
	maxMessageText   = 4096
	maxCaption       = 1024
	maxCallbackData  = 64
	markdownReserved = ".!-+={}#"
)

// renderText checks text in parse mode the way the Bot API does and returns
// what the user sees.
func renderText(text, mode string, limit int) (string, *tgError) {
	if strings.TrimSpace(text) == "" {
		return "", tgBad("message text is empty")
	}
	out := text
	var e *tgError
	switch strings.ToLower(mode) {
	case "":
	case "html":
		out, e = renderHTML(text)
	case "markdownv2":
		out, e = renderMarkdownV2(text)
	case "markdown":
		out = strings.NewReplacer("*", "", "_", "", "`", "").Replace(text)
	default:
		return "", tgBad("unsupported parse_mode")
	}
	if e != nil {
		return "", e
	}
	if strings.TrimSpace(out) == "" {
		return "", tgBad("message text is empty")
	}
	if utf16Len(out) > limit {
		return "", tgBad("message is too long")
	}
	return out, nil
}

// htmlTag reports whether the Bot API's HTML mode supports a tag.
func htmlTag(name string) bool {
	switch name {
	case "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler",
		"a", "code", "pre", "blockquote", "tg-emoji":
		return true
	}
	return false
}

func entityError(msg string) *tgError { return tgBad("can't parse entities: " + msg) }

// renderHTML strips the supported tags, requiring them balanced, and
// decodes entities.
func renderHTML(s string) (string, *tgError) {
	var out strings.Builder
	var open []string
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			out.WriteString(html.UnescapeString(s[i : i+j]))
			i += j
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			return "", entityError("Unclosed start tag at byte offset " + strconv.Itoa(i))
		}
		tag := s[i+1 : i+end]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.Fields(strings.TrimPrefix(tag, "/") + " ")[0])
		switch {
		case !htmlTag(name):
			return "", entityError("Unsupported start tag \"" + name + "\" at byte offset " + strconv.Itoa(i))
		case closing && (len(open) == 0 || open[len(open)-1] != name):
			return "", entityError("Unmatched end tag at byte offset " + strconv.Itoa(i))
		case closing:
			open = open[:len(open)-1]
		default:
			open = append(open, name)
		}
		i += end + 1
	}
	if len(open) > 0 {
		return "", entityError("Can't find end tag corresponding to start tag \"" + open[len(open)-1] + "\"")
	}
	return out.String(), nil
}

// renderMarkdownV2 enforces the escaping rule that trips most senders:
// reserved characters outside entities need a backslash.
func renderMarkdownV2(s string) (string, *tgError) {
	var out strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			out.WriteByte(s[i])
		case strings.IndexByte(markdownReserved, c) >= 0:
			return "", entityError("Character '" + string(c) + "' is reserved and must be escaped with the preceding '\\'")
		case strings.IndexByte("*_~`|", c) >= 0:
		default:
			out.WriteByte(c)
		}
	}
	return out.String(), nil
}

type tgButton struct {
	Text         string  `json:"text"`
	CallbackData *string `json:"callback_data"`
	URL          *string `json:"url"`
}

type tgMarkup struct {
	InlineKeyboard [][]tgButton        `json:"inline_keyboard"`
	Keyboard       [][]json.RawMessage `json:"keyboard"`
	RemoveKeyboard bool                `json:"remove_keyboard"`
	ForceReply     bool                `json:"force_reply"`
}

// markupCache remembers checked reply_markup values: a broadcast sends the
// same keyboard to every recipient, and decoding it each time was a large
// part of a send's cost.
type markupCache struct {
	mu sync.Mutex
	m  map[string]checkedMarkup
}

type checkedMarkup struct {
	inline, marker string
	err            *tgError
}

// check is checkMarkup through the cache.
func (c *markupCache) check(raw string) (string, string, *tgError) {
	if raw == "" {
		return "", "", nil
	}
	c.mu.Lock()
	got, ok := c.m[raw]
	c.mu.Unlock()
	if ok {
		return got.inline, got.marker, got.err
	}
	got.inline, got.marker, got.err = checkMarkup(raw)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= 1024 {
		c.m = map[string]checkedMarkup{}
	}
	c.m[raw] = got
	c.mu.Unlock()
	return got.inline, got.marker, got.err
}

// checkMarkup validates reply_markup. It returns the inline keyboard as
// compact JSON ("" when there is none: only inline keyboards stay on the
// message) and a short marker of the buttons for the recorded content.
func checkMarkup(raw string) (inline, marker string, e *tgError) {
	if strings.TrimSpace(raw) == "" {
		return "", "", nil
	}
	var m tgMarkup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return "", "", tgBad("can't parse reply keyboard markup JSON object")
	}
	switch {
	case m.InlineKeyboard != nil:
		var rows []string
		for _, row := range m.InlineKeyboard {
			var labels []string
			for _, b := range row {
				if e := checkButton(b); e != nil {
					return "", "", e
				}
				labels = append(labels, b.Text)
			}
			rows = append(rows, strings.Join(labels, "|"))
		}
		if strings.ContainsAny(raw, " \t\r\n") { // compare edits regardless of layout
			var buf bytes.Buffer
			_ = json.Compact(&buf, []byte(raw))
			raw = buf.String()
		}
		return raw, " [buttons: " + strings.Join(rows, " / ") + "]", nil
	case m.Keyboard != nil:
		var rows []string
		for _, row := range m.Keyboard {
			var labels []string
			for _, b := range row {
				var s string
				if json.Unmarshal(b, &s) != nil {
					var btn tgButton
					_ = json.Unmarshal(b, &btn)
					s = btn.Text
				}
				labels = append(labels, s)
			}
			rows = append(rows, strings.Join(labels, "|"))
		}
		return "", " [keyboard: " + strings.Join(rows, " / ") + "]", nil
	case m.RemoveKeyboard:
		return "", " [remove keyboard]", nil
	case m.ForceReply:
		return "", " [force reply]", nil
	}
	return "", "", tgBad("can't parse reply keyboard markup JSON object")
}

func checkButton(b tgButton) *tgError {
	switch {
	case b.Text == "":
		return tgBad("text buttons are unallowed in the inline keyboard")
	case b.CallbackData != nil && (*b.CallbackData == "" || len(*b.CallbackData) > maxCallbackData):
		return tgBad("BUTTON_DATA_INVALID")
	case b.URL != nil:
		u, err := url.Parse(*b.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
			return tgBad("inline keyboard button URL '" + *b.URL + "' is invalid: Wrong HTTP URL")
		}
	case b.CallbackData == nil:
		return tgBad("text buttons are unallowed in the inline keyboard")
	}
	return nil
}

// utf16Len is the length of s in UTF-16 code units, how Telegram counts.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}
