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
// picture's URL, the text as sent (HTML, its formatting marks shown), and
// the buttons as one row ("↗" marks a link).
func (s *Sender) PreviewText(c *herald.Content) string {
	var b strings.Builder
	for _, u := range s.imageURLs(c) {
		b.WriteString("🖼 " + u + "\n")
	}
	if text := Body(c); text != "" {
		b.WriteString(text + "\n")
	}
	if kb, ok := keyboard(c.Buttons, func(herald.Button) string { return "" }).(*models.InlineKeyboardMarkup); ok {
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
