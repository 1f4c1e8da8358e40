package telegram

import (
	"context"
	"html"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// HTML renders formatted text in the Bot API's HTML parse mode: the text
// escaped, each span a tag. Telegram counts entity offsets in UTF-16 code
// units; sending tags instead leaves the counting to Telegram, so emoji and
// personalised names never shift a format. Code and pre take no formats
// inside them (Telegram refuses those), so spans within one are dropped.
func HTML(text string, spans []herald.Span) string {
	if len(spans) == 0 {
		return html.EscapeString(text)
	}
	var b strings.Builder
	b.Grow(len(text) + 16*len(spans))
	mono := 0                        // open code/pre tags
	skipped := map[herald.Span]int{} // spans not opened inside code
	herald.WalkSpans(text, spans, herald.SpanVisitor{
		Open: func(s herald.Span) {
			if mono > 0 {
				skipped[s]++
				return
			}
			switch s.Style {
			case herald.Bold:
				b.WriteString("<b>")
			case herald.Italic:
				b.WriteString("<i>")
			case herald.Code:
				b.WriteString("<code>")
				mono++
			case herald.Pre:
				b.WriteString("<pre>")
				mono++
			case herald.Link:
				b.WriteString(`<a href="` + html.EscapeString(s.URL) + `">`)
			}
		},
		Close: func(s herald.Span) {
			if skipped[s] > 0 {
				skipped[s]--
				return
			}
			switch s.Style {
			case herald.Bold:
				b.WriteString("</b>")
			case herald.Italic:
				b.WriteString("</i>")
			case herald.Code:
				b.WriteString("</code>")
				mono--
			case herald.Pre:
				b.WriteString("</pre>")
				mono--
			case herald.Link:
				b.WriteString("</a>")
			}
		},
		Text: func(t string) { b.WriteString(html.EscapeString(t)) },
	})
	return b.String()
}

// Body is content's text as the HTML message (or caption) Telegram gets:
// a card's title in bold above its formatted text.
func Body(c *herald.Content) string {
	return htmlMarks.titled(c.Title, c.Text, c.Spans, c.Kind == herald.CardContent)
}

// marks write formatted text for one reader: Telegram's HTML, or Herald's
// markup where a preview is printed for an admin to read (a terminal
// shows no HTML, and its escapes would read as part of the message).
type marks struct {
	text func(string, []herald.Span) string
	bold func(string) string
}

var (
	htmlMarks   = marks{HTML, func(s string) string { return "<b>" + html.EscapeString(s) + "</b>" }}
	markupMarks = marks{herald.Markup, func(s string) string { return "*" + s + "*" }}
)

// titled is a card's title in bold above its formatted text (the text
// alone when card is false or there is no title).
func (m marks) titled(title, text string, spans []herald.Span, card bool) string {
	body := m.text(text, spans)
	if !card || title == "" {
		return body
	}
	t := m.bold(title)
	if body == "" {
		return t
	}
	return t + "\n\n" + body
}

// CardMessage is one carousel card as Telegram shows it: its picture's URL
// ("" for none), the text (the picture's caption, or the message) and the
// card's buttons.
type CardMessage struct {
	Photo    string
	Text     string
	Keyboard models.ReplyMarkup
}

// carousel renders a carousel as one Telegram message per card, in order,
// its text written with m (htmlMarks to send it). Telegram has no
// carousel; an album cannot carry buttons, and buttons sent after an album
// would lose which card they belong to, so each card is a photo with its
// caption and its own buttons.
func carousel(m marks, postback func(herald.Button) string, c *herald.Content, mediaURL func(string) string) []CardMessage {
	out := make([]CardMessage, len(c.Cards))
	for i, k := range c.Cards {
		out[i].Text = m.titled(k.Title, k.Text, k.Spans, true)
		if urls := dispatch.ImageURLs([]herald.Image{k.Image}, mediaURL); len(urls) > 0 {
			out[i].Photo = urls[0]
		}
		out[i].Keyboard = keyboard(c.CardButtons(i), postback)
	}
	return out
}

// sendCarousel sends a carousel's cards, one request each: a retry after a
// failure starts at the first card not delivered (dispatch.PartialError,
// Message.FromPart).
func (s *Sender) sendCarousel(ctx context.Context, chat any, m *dispatch.Message, postback func(herald.Button) string) (string, error) {
	cards := carousel(htmlMarks, postback, &m.Content, s.cfg.MediaURL)
	return m.SendParts(ctx, len(cards), func(i int) (string, error) {
		k := cards[i]
		if k.Photo == "" {
			return s.text.send(ctx, chat, k.Text, k.Keyboard, "")
		}
		msg, err := s.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chat, Photo: &models.InputFileString{Data: k.Photo},
			Caption: k.Text, ParseMode: models.ParseModeHTML, ReplyMarkup: k.Keyboard})
		return messageID(msg), err
	})
}
