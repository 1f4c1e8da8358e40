package herald

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Style is one kind of inline formatting an admin can type. Telegram shows
// every style; LINE and Messenger have none, so there a link stays a link
// (its URL as text) and the rest is plain text (see PlainText).
type Style string

// Styles.
const (
	Bold   Style = "bold"
	Italic Style = "italic"
	Code   Style = "code" // inline monospace
	Pre    Style = "pre"  // a monospace block
	Link   Style = "link" // Span.URL is the target
)

// Span is formatting over Text[Start:End], in bytes of the UTF-8 text, so
// it survives storage and personalisation without knowing any platform's
// offset unit (Telegram counts UTF-16 code units; its edges convert).
// Spans may nest; a Link has the URL it opens.
type Span struct {
	Start, End int
	Style      Style
	URL        string
}

// ValidSpans reports whether spans fit text: inside it, on character
// boundaries, non-empty, of a known style, links with a web URL.
func ValidSpans(text string, spans []Span) bool {
	for _, s := range spans {
		switch {
		case s.Start < 0 || s.End > len(text) || s.Start >= s.End,
			s.Start < len(text) && !utf8.RuneStart(text[s.Start]),
			s.End < len(text) && !utf8.RuneStart(text[s.End]):
			return false
		case s.Style == Link:
			if !webURL(s.URL) {
				return false
			}
		case s.Style != Bold && s.Style != Italic && s.Style != Code && s.Style != Pre:
			return false
		}
	}
	return true
}

// webURL reports whether s is an absolute http(s) URL with a host and no
// spaces, the links Herald sends.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
		!strings.ContainsFunc(s, unicode.IsSpace)
}

// SpanVisitor is what WalkSpans calls as it goes through formatted text.
type SpanVisitor struct {
	Open, Close func(Span)
	Text        func(string)
}

// WalkSpans goes through text once, calling v.Text for each run of
// characters and v.Open/v.Close around it so that tags always nest: where
// two spans overlap without nesting, the inner one is closed and opened
// again. Every renderer (Telegram HTML, markup, plain text) is a visitor,
// so they agree on what a span covers.
func WalkSpans(text string, spans []Span, v SpanVisitor) {
	if len(spans) == 0 {
		v.Text(text)
		return
	}
	order := slices.Clone(spans)
	slices.SortStableFunc(order, func(a, b Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(b.End, a.End))
	})
	cuts := []int{0, len(text)}
	for _, s := range order {
		cuts = append(cuts, s.Start, s.End)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var open []int // indexes into order, outermost first
	for i := 0; i+1 < len(cuts); i++ {
		a, b := cuts[i], cuts[i+1]
		if a < 0 || b > len(text) {
			continue
		}
		var want []int
		for j, s := range order {
			if s.Start <= a && s.End >= b {
				want = append(want, j)
			}
		}
		keep := 0
		for keep < len(open) && keep < len(want) && open[keep] == want[keep] {
			keep++
		}
		for k := len(open) - 1; k >= keep; k-- {
			v.Close(order[open[k]])
		}
		for _, j := range want[keep:] {
			v.Open(order[j])
		}
		open = want
		v.Text(text[a:b])
	}
	for k := len(open) - 1; k >= 0; k-- {
		v.Close(order[open[k]])
	}
}

// PlainText is formatted text as a platform without inline styles shows
// it: the words as typed, and a link whose words are not its URL as
// "words (URL)" so the link still opens. A link whose words are a web
// address shows the address it opens instead of them: a tracked bare
// address (see Content.TrackLinks) reads as its tracked URL, and words
// never show one address while the link opens another.
func PlainText(text string, spans []Span) string {
	if !slices.ContainsFunc(spans, func(s Span) bool { return s.Style == Link }) {
		return text
	}
	b := make([]byte, 0, len(text)+64)
	var inLink []int // where each open link's words start in b
	WalkSpans(text, spans, SpanVisitor{
		Open: func(s Span) {
			if s.Style == Link {
				inLink = append(inLink, len(b))
			}
		},
		Close: func(s Span) {
			if s.Style != Link {
				return
			}
			start := inLink[len(inLink)-1]
			inLink = inLink[:len(inLink)-1]
			switch words := strings.TrimSpace(string(b[start:])); {
			case words == s.URL:
			case webURL(words):
				all := string(b[start:])
				lead := strings.Index(all, words)
				b = append(append(b[:start+lead], s.URL...), all[lead+len(words):]...)
			default:
				b = append(b, " ("+s.URL+")"...)
			}
		},
		Text: func(t string) { b = append(b, t...) },
	})
	return string(b)
}

// PersonalizeFormatted fills text's placeholders like Personalize and
// moves spans with the words they cover: a span around a placeholder
// covers what replaced it. Text without placeholders comes back as it is.
func PersonalizeFormatted(text string, spans []Span, s *Subscriber) (string, []Span) {
	if !strings.Contains(text, "{") {
		return text, spans
	}
	ms := placeholder.FindAllStringSubmatchIndex(text, -1)
	if len(ms) == 0 {
		return text, spans
	}
	type edit struct{ from, to, newFrom, newTo int }
	edits := make([]edit, 0, len(ms))
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m[0]])
		start := b.Len()
		b.WriteString(placeholderValue(text, m, s))
		edits = append(edits, edit{m[0], m[1], start, b.Len()})
		last = m[1]
	}
	b.WriteString(text[last:])
	move := func(o int, end bool) int {
		shift := 0
		for _, e := range edits {
			switch {
			case o <= e.from:
				return o + shift
			case o < e.to && end:
				return e.newTo
			case o < e.to:
				return e.newFrom
			}
			shift += (e.newTo - e.newFrom) - (e.to - e.from)
		}
		return o + shift
	}
	out := make([]Span, 0, len(spans))
	for _, sp := range spans {
		sp.Start, sp.End = move(sp.Start, false), move(sp.End, true)
		if sp.Start < sp.End {
			out = append(out, sp)
		}
	}
	return b.String(), out
}

// TrimFormatted trims space around formatted text, moving its spans with
// it: what an admin typed, without the blank lines around it.
func TrimFormatted(text string, spans []Span) (string, []Span) {
	trimmed := strings.TrimLeftFunc(text, unicode.IsSpace)
	lead := len(text) - len(trimmed)
	trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
	if lead == 0 && len(trimmed) == len(text) {
		return text, spans
	}
	var out []Span
	for _, s := range spans {
		s.Start, s.End = max(s.Start-lead, 0), min(s.End-lead, len(trimmed))
		if s.Start < s.End {
			out = append(out, s)
		}
	}
	return trimmed, out
}
