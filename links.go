package herald

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Links in a broadcast's text are counted like its URL buttons: with
// click tracking on, each one goes out as a tracked link of its own, so
// the text's links and the buttons share one numbering (FirstTextLink).
// A link in the text is a Link span, or a bare http(s) address typed in
// the text (every platform shows one as a link); the same address twice is
// one link. An address with a placeholder in it ({id}) differs per
// recipient, and one inside code is not a link: both go out as typed.

// FirstTextLink is the number of the first link in the text among a
// broadcast's tracked links: a URL button's number is its index in
// Content.Buttons (at most MaxCards*MaxCardButtons), a text link's is
// FirstTextLink plus its index in TextLinks. Links past MaxTextLinks go
// out direct.
const (
	FirstTextLink = 128
	MaxTextLinks  = 127
)

// maxLinkLabel is how many characters of a link's words or address its
// label keeps (stats lines, the API).
const maxLinkLabel = 32

// TextLinks returns the distinct links in the content's text and its
// cards' texts, in order of appearance, as URL buttons: ID "link1",
// "link2"… (taps and clicks count them by it, like a button's ID), the
// target, and a label to read them by: the link's words, or its address's
// host and path, shortened.
func (c *Content) TextLinks() []Button {
	var out []Button
	add := func(text string, spans []Span) {
		for _, l := range textLinks(text, spans) {
			if len(out) == MaxTextLinks || Personalized(l.URL) ||
				slices.ContainsFunc(out, func(b Button) bool { return b.URL == l.URL }) {
				continue
			}
			out = append(out, Button{ID: "link" + strconv.Itoa(len(out)+1), Kind: URLButton, URL: l.URL,
				Label: linkLabel(text[l.Start:l.End], l.URL)})
		}
	}
	add(c.Text, c.Spans)
	for _, k := range c.Cards {
		add(k.Text, k.Spans)
	}
	return out
}

// HasLinks reports whether the content has a link to count: a URL button
// or a link in the text. With click tracking each recipient's copy then
// differs (no LINE multicast).
func (c *Content) HasLinks() bool {
	return slices.ContainsFunc(c.Buttons, func(b Button) bool { return b.Kind == URLButton }) || len(c.TextLinks()) > 0
}

// ButtonsAndLinks is the content's buttons, then the links in its text
// (TextLinks): everything taps and clicks are counted for, each by its ID.
func (c *Content) ButtonsAndLinks() []Button {
	return append(slices.Clip(c.Buttons), c.TextLinks()...)
}

// TrackedLink returns a broadcast's tracked link number i: a URL button
// (buttons are Content.Buttons) or a link in the text (links are
// TextLinks); ok is false when there is no such link.
func TrackedLink(buttons, links []Button, i int) (b Button, ok bool) {
	switch {
	case i >= 0 && i < len(buttons) && buttons[i].Kind == URLButton:
		return buttons[i], true
	case i >= FirstTextLink && i-FirstTextLink < len(links):
		return links[i-FirstTextLink], true
	}
	return Button{}, false
}

// TrackLinks returns c with its URL buttons and its text's links (links
// are the broadcast's TextLinks) pointing at link(i), the tracked URL of
// link number i. It works on personalised content too: a link is found by
// its target, so one that personalisation wrote into the text is not
// among links and goes out direct. A bare address becomes a Link span
// whose words are the address as typed. c's slices are not changed.
func (c Content) TrackLinks(links []Button, link func(i int) string) Content {
	if slices.ContainsFunc(c.Buttons, func(b Button) bool { return b.Kind == URLButton }) {
		c.Buttons = slices.Clone(c.Buttons)
		for i := range c.Buttons {
			if c.Buttons[i].Kind == URLButton {
				c.Buttons[i].URL = link(i)
			}
		}
	}
	if len(links) == 0 {
		return c
	}
	number := func(u string) int {
		return slices.IndexFunc(links, func(b Button) bool { return b.URL == u })
	}
	c.Spans = trackSpans(c.Text, c.Spans, number, link)
	if slices.ContainsFunc(c.Cards, func(k Card) bool { return len(textLinks(k.Text, k.Spans)) > 0 }) {
		c.Cards = slices.Clone(c.Cards)
		for i := range c.Cards {
			c.Cards[i].Spans = trackSpans(c.Cards[i].Text, c.Cards[i].Spans, number, link)
		}
	}
	return c
}

// PreviewTarget is the target of the text's first link when it goes out
// as a tracked link (links are the broadcast's TextLinks), "" otherwise:
// platforms that draw a preview of a message's first link can be told to
// draw it from there, once, instead of fetching every recipient's
// tracked link (a redirect each). Call it before TrackLinks.
func (c *Content) PreviewTarget(links []Button) string {
	found := textLinks(c.Text, c.Spans)
	if len(found) == 0 || !slices.ContainsFunc(links, func(b Button) bool { return b.URL == found[0].URL }) {
		return ""
	}
	return found[0].URL
}

// trackSpans returns text's spans with each link whose target number
// knows pointing at its tracked URL; spans is not changed.
func trackSpans(text string, spans []Span, number func(url string) int, link func(i int) string) []Span {
	found := textLinks(text, spans)
	if len(found) == 0 {
		return spans
	}
	out := slices.Clone(spans)
	for _, l := range found {
		n := number(l.URL)
		if n < 0 {
			continue
		}
		tracked := link(FirstTextLink + n)
		if l.bare {
			out = append(out, Span{Start: l.Start, End: l.End, Style: Link, URL: tracked})
			continue
		}
		for i := range out {
			if out[i].Style == Link && out[i].Start == l.Start && out[i].End == l.End && out[i].URL == l.URL {
				out[i].URL = tracked
			}
		}
	}
	return out
}

// foundLink is a link in a text: a Link span, or a bare address (bare).
type foundLink struct {
	Span
	bare bool
}

// textLinks lists text's links in order: its Link spans, and the bare
// addresses outside any link, code or pre span.
func textLinks(text string, spans []Span) []foundLink {
	var out []foundLink
	for _, s := range spans {
		if s.Style == Link {
			out = append(out, foundLink{Span: s})
		}
	}
	if !strings.Contains(text, "http") {
		return out
	}
	covered := func(a, b int) bool {
		return slices.ContainsFunc(spans, func(s Span) bool {
			return (s.Style == Link || s.Style == Code || s.Style == Pre) && s.Start < b && a < s.End
		})
	}
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], "http")
		if j < 0 {
			break
		}
		start := i + j
		end := start + bareURLLen(text[start:])
		i = max(end, start+4)
		if end == start || covered(start, end) {
			continue
		}
		if prev, _ := utf8.DecodeLastRuneInString(text[:start]); start > 0 && wordRune(prev) {
			continue
		}
		out = append(out, foundLink{Span: Span{Start: start, End: end, Style: Link, URL: text[start:end]}, bare: true})
	}
	slices.SortStableFunc(out, func(a, b foundLink) int { return a.Start - b.Start })
	return out
}

// bareURLLen is the length of the web address s starts with, 0 for none.
// An address runs to the first space, quote, angle bracket or character
// outside ASCII (Chinese and Japanese text often follows one without a
// space), less the punctuation that ends a sentence or an unmatched
// closing bracket after it.
func bareURLLen(s string) int {
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return 0
	}
	n := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r >= 0x7f || strings.ContainsRune(`"'<>`+"`", r) })
	if n < 0 {
		n = len(s)
	}
	for n > 0 {
		c := s[n-1]
		switch {
		case strings.IndexByte(".,;:!?", c) >= 0:
		case c == ')' && strings.Count(s[:n], "(") < strings.Count(s[:n], ")"),
			c == ']' && strings.Count(s[:n], "[") < strings.Count(s[:n], "]"):
		default:
			if !webURL(s[:n]) {
				return 0
			}
			return n
		}
		n--
	}
	return 0
}

// linkLabel is what a link is called in stats: its words, or when they
// are its address (or none), the address's host and path; at most
// maxLinkLabel characters.
func linkLabel(words, target string) string {
	words = strings.Join(strings.Fields(words), " ")
	if words == "" || webURL(words) {
		words = target
		if u, err := url.Parse(target); err == nil {
			words = strings.TrimPrefix(u.Host, "www.") + strings.TrimSuffix(u.Path, "/")
		}
	}
	if r := []rune(words); len(r) > maxLinkLabel {
		return string(r[:maxLinkLabel-1]) + "…"
	}
	return words
}
