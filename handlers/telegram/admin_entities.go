package telegram

import (
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
)

// spans turns a message's entities into Herald's formatting of its text:
// the styles Herald sends (bold, italic, code, pre, text links), with
// Telegram's UTF-16 offsets turned into byte offsets of text. Other
// entities (mentions, plain URLs, underline…) are not kept: a plain URL
// is a link on every platform already.
func spans(text string, entities []models.MessageEntity) []herald.Span {
	var out []herald.Span
	for _, e := range entities {
		var style herald.Style
		switch e.Type {
		case models.MessageEntityTypeBold:
			style = herald.Bold
		case models.MessageEntityTypeItalic:
			style = herald.Italic
		case models.MessageEntityTypeCode:
			style = herald.Code
		case models.MessageEntityTypePre:
			style = herald.Pre
		case models.MessageEntityTypeTextLink:
			style = herald.Link
		default:
			continue
		}
		start, end := utf16ToByte(text, e.Offset), utf16ToByte(text, e.Offset+e.Length)
		if start < end {
			out = append(out, herald.Span{Start: start, End: end, Style: style, URL: e.URL})
		}
	}
	return out
}

// utf16ToByte is the byte offset in text of the UTF-16 offset units (the
// end of text when it is past it).
func utf16ToByte(text string, units int) int {
	n := 0
	for i, r := range text {
		if n >= units {
			return i
		}
		n += max(utf16.RuneLen(r), 1)
	}
	return len(text)
}

// withoutMention cuts every "@bot" mention out of text, moving spans with
// the words around it, as the admin input drops the mention that
// addressed Herald in a group.
func withoutMention(text string, sp []herald.Span, mention string) (string, []herald.Span) {
	if mention == "" {
		return text, sp
	}
	for {
		at := strings.Index(text, mention)
		if at < 0 {
			return text, sp
		}
		end := at + len(mention)
		move := func(o int) int {
			switch {
			case o >= end:
				return o - len(mention)
			case o > at:
				return at
			}
			return o
		}
		kept := sp[:0:0]
		for _, s := range sp {
			s.Start, s.End = move(s.Start), move(s.End)
			if s.Start < s.End {
				kept = append(kept, s)
			}
		}
		text, sp = text[:at]+text[end:], kept
	}
}
