package telegram

import (
	"context"
	"strings"

	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// Preview sends c into chat (an admin chat) by the requests Send makes
// for a recipient, so the admin sees the message as it will arrive. Only
// the action buttons differ: they carry inert as their data, which the
// admin chat answers as a preview, instead of a broadcast's postback. URL
// buttons open c's URLs as they are (a preview's content carries no
// tracked links).
func (s *Sender) Preview(ctx context.Context, chat string, c *herald.Content, inert string) error {
	m := &dispatch.Message{Content: *c}
	_, err := s.sendWith(ctx, chatID(chat), m, func(herald.Button) string { return inert })
	return s.translate(err)
}

// PreviewText is c as Send renders it, written out for a terminal: each
// picture's URL, the text (a card's title in bold above it) with its
// formatting in Herald's markup, which the console's admin types, rather
// than the HTML sent, and the buttons as one row ("↗" marks a link). A
// carousel is one such message per card, as Telegram gets it, under a
// rule.
func (s *Sender) PreviewText(c *herald.Content) string {
	inert := func(herald.Button) string { return "" }
	if c.Kind != herald.CarouselContent {
		return previewMessage(s.imageURLs(c), markupMarks.titled(c.Title, c.Text, c.Spans, c.Kind == herald.CardContent),
			keyboard(c.Buttons, inert))
	}
	var msgs []string
	for _, k := range carousel(markupMarks, inert, c, s.cfg.MediaURL) {
		var photos []string
		if k.Photo != "" {
			photos = []string{k.Photo}
		}
		msgs = append(msgs, previewMessage(photos, k.Text, k.Keyboard))
	}
	return strings.Join(msgs, "\n"+previewRule+"\n")
}

// previewRule parts the messages of a preview printed in a terminal.
const previewRule = "────────"

// previewMessage writes out one message: its pictures, text and buttons.
func previewMessage(photos []string, text string, kb models.ReplyMarkup) string {
	var b strings.Builder
	for _, u := range photos {
		b.WriteString("🖼 " + u + "\n")
	}
	if text != "" {
		b.WriteString(text + "\n")
	}
	if kb, ok := kb.(*models.InlineKeyboardMarkup); ok {
		var labels []string
		for _, row := range kb.InlineKeyboard {
			for _, k := range row {
				label := "[ " + k.Text + " ]"
				if k.URL != "" {
					label = "[ " + k.Text + " ↗ ]"
				}
				labels = append(labels, label)
			}
		}
		b.WriteString(strings.Join(labels, " ") + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}
