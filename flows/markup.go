package flows

import (
	"strings"

	"github.com/heraldbot/herald"
)

// A reply mixes prose (the bot's sentences, /help's syntax examples) with
// a broadcast's own text in Herald's markup (the wizard's preview, the
// summary, an approval request). A frontend that shows markup formatted
// (Slack) must tell them apart, or it either shows the message's links as
// raw <url|words> or turns the syntax examples into links. While a turn
// builds its replies, message markup is wrapped in markOpen…markClose
// (asMarkup); the replies leave flows with the marks moved into
// Reply.Markup (settle).
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

// TextRange is a stretch of a Reply's Text, in byte offsets.
type TextRange struct{ Start, End int }

// asMarkup marks s, a broadcast's text in Herald's markup, as such.
func asMarkup(s string) string { return markOpen + s + markClose }

// settle moves the marks of r.Text into r.Markup. A mark left open (text
// cut short) runs to the end.
func (r *Reply) settle() {
	if !strings.Contains(r.Text, markOpen) && !strings.Contains(r.Text, markClose) {
		return
	}
	var b strings.Builder
	open := -1
	for s := r.Text; s != ""; {
		i := strings.IndexAny(s, markOpen+markClose)
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		isOpen := strings.HasPrefix(s[i:], markOpen)
		s = s[i+len(markOpen):] // both marks are 3 bytes
		switch {
		case isOpen && open < 0:
			open = b.Len()
		case !isOpen && open >= 0:
			if b.Len() > open {
				r.Markup = append(r.Markup, TextRange{open, b.Len()})
			}
			open = -1
		}
	}
	if open >= 0 && b.Len() > open {
		r.Markup = append(r.Markup, TextRange{open, b.Len()})
	}
	r.Text = b.String()
}

// settled settles each reply.
func settled(rs []Reply) []Reply {
	for i := range rs {
		rs[i].settle()
	}
	return rs
}

// Render writes r's text for a frontend that shows markup formatted: its
// prose through prose (the frontend's escaping, so it reads as written),
// and each stretch of Markup, read back into words and spans, through
// markup (the platform's formatting).
func (r *Reply) Render(prose func(string) string, markup func(text string, spans []herald.Span) string) string {
	var b strings.Builder
	at := 0
	for _, m := range r.Markup {
		if m.Start < at || m.End > len(r.Text) || m.Start > m.End {
			continue
		}
		b.WriteString(prose(r.Text[at:m.Start]))
		b.WriteString(markup(herald.ParseMarkup(r.Text[m.Start:m.End], false)))
		at = m.End
	}
	b.WriteString(prose(r.Text[at:]))
	return b.String()
}
