package herald

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Herald's markup is Slack's mrkdwn, so an admin types the same thing in
// Slack, the console and the API: *bold*, _italic_, `code`, ```pre``` and
// <https://example.com|link words> (or <https://example.com>). A marker
// opens only before a non-space and closes after one, on the same line,
// so snake_case and 2*3*4 stay as typed.

// ParseMarkup reads text typed in Herald's markup into plain text and its
// spans. With slack set, Slack's escapes (&amp; &lt; &gt;) are read too,
// as Slack sends them.
func ParseMarkup(s string, slack bool) (string, []Span) {
	if !strings.ContainsAny(s, "*_`<&") {
		return s, nil
	}
	p := markupParser{slack: slack}
	p.parse(s)
	return p.out.String(), p.spans
}

type markupParser struct {
	out   strings.Builder
	spans []Span
	slack bool
}

var slackEscapes = strings.NewReplacer("&amp;", "&", "&lt;", "<", "&gt;", ">")

func (p *markupParser) literal(s string) {
	if p.slack {
		s = slackEscapes.Replace(s)
	}
	p.out.WriteString(s)
}

// span records style over what fn writes, if it writes anything.
func (p *markupParser) span(style Style, url string, fn func()) {
	start := p.out.Len()
	fn()
	if p.out.Len() > start {
		p.spans = append(p.spans, Span{Start: start, End: p.out.Len(), Style: style, URL: url})
	}
}

func (p *markupParser) parse(s string) {
	lit := 0 // where the literal text not yet written starts
	for i := 0; i < len(s); {
		end, emit := p.element(s, i)
		if emit == nil {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		p.literal(s[lit:i])
		emit()
		i, lit = end, end
	}
	p.literal(s[lit:])
}

// element recognises the markup that starts at s[i]: where it ends and
// how to write it, or a nil emit when s[i] is just a character.
func (p *markupParser) element(s string, i int) (int, func()) {
	rest := s[i:]
	switch {
	case strings.HasPrefix(rest, "https://") || strings.HasPrefix(rest, "http://"):
		// A bare address is a link everywhere already; its _ and * are
		// part of it, never markers.
		j := strings.IndexFunc(rest, unicode.IsSpace)
		if j < 0 {
			j = len(rest)
		}
		return i + j, func() { p.literal(rest[:j]) }
	case strings.HasPrefix(rest, "```"):
		j := strings.Index(rest[3:], "```")
		if j < 0 {
			return 0, nil
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(rest[3:3+j], "\n"), "\n")
		return i + 6 + j, func() { p.span(Pre, "", func() { p.literal(inner) }) }
	case rest[0] == '`':
		j := strings.IndexAny(rest[1:], "`\n")
		if j <= 0 || rest[1+j] != '`' {
			return 0, nil
		}
		return i + 2 + j, func() { p.span(Code, "", func() { p.literal(rest[1 : 1+j]) }) }
	case rest[0] == '<':
		j := strings.IndexAny(rest[1:], ">\n")
		if j <= 0 || rest[1+j] != '>' {
			return 0, nil
		}
		url, words, _ := strings.Cut(rest[1:1+j], "|")
		if p.slack {
			url = slackEscapes.Replace(url)
		}
		if !webURL(url) {
			return 0, nil
		}
		if words == "" {
			words = url
		}
		return i + 2 + j, func() { p.span(Link, url, func() { p.literal(words) }) }
	case rest[0] == '*' || rest[0] == '_':
		j := closer(s, i)
		if j < 0 {
			return 0, nil
		}
		style := Bold
		if rest[0] == '_' {
			style = Italic
		}
		return j + 1, func() { p.span(style, "", func() { p.parse(s[i+1 : j]) }) }
	}
	return 0, nil
}

// closer finds where the * or _ at s[i] closes: it must open (after a
// non-word character, before a non-space) and close on the same line
// (after a non-space, before a non-word character); -1 when it does not.
func closer(s string, i int) int {
	m := s[i]
	if prev, _ := utf8.DecodeLastRuneInString(s[:i]); i > 0 && wordRune(prev) {
		return -1
	}
	if next, _ := utf8.DecodeRuneInString(s[i+1:]); i+1 >= len(s) || unicode.IsSpace(next) || next == rune(m) {
		return -1
	}
	for j := i + 2; j < len(s) && s[j] != '\n'; j++ {
		if s[j] != m {
			continue
		}
		prev, _ := utf8.DecodeLastRuneInString(s[:j])
		next, _ := utf8.DecodeRuneInString(s[j+1:])
		if !unicode.IsSpace(prev) && (j+1 == len(s) || !wordRune(next)) {
			return j
		}
	}
	return -1
}

// wordRune is a character that glues a marker to a word (snake_case).
// Chinese and Japanese write without spaces, so their characters do not:
// *日本語*です is bold.
func wordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) &&
		!unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// Markup writes formatted text back in Herald's markup, for an admin to
// read (previews, the console, the API's markup field) and edit.
func Markup(text string, spans []Span) string {
	return MarkupEscaped(text, spans, func(s string) string { return s })
}

// MarkupEscaped is Markup for a reader that takes the markup itself, such
// as Slack's mrkdwn: escape is applied to the words and the link targets,
// never to the marks, so the words cannot be read as marks.
func MarkupEscaped(text string, spans []Span, escape func(string) string) string {
	if len(spans) == 0 {
		return escape(text)
	}
	marks := map[Style]string{Bold: "*", Italic: "_", Code: "`", Pre: "```"}
	var b strings.Builder
	WalkSpans(text, spans, SpanVisitor{
		Open: func(s Span) {
			if s.Style == Link {
				b.WriteString("<" + escape(s.URL) + "|")
				return
			}
			b.WriteString(marks[s.Style])
		},
		Close: func(s Span) {
			if s.Style == Link {
				b.WriteString(">")
				return
			}
			b.WriteString(marks[s.Style])
		},
		Text: func(t string) { b.WriteString(escape(t)) },
	})
	return b.String()
}
