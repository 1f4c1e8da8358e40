package telegram

import (
	"context"
	"strconv"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Previewer sends a broadcast's message into an admin chat by the code
// that sends it to recipients (*dispatch/telegram.Sender), so the preview
// is the message itself; its action buttons carry inert as their data.
type Previewer interface {
	Preview(ctx context.Context, chat string, c *herald.Content, inert string) error
}

// preview posts a summary's preview: the line naming whom it is
// personalised for, then the message as it will arrive. Its action
// buttons carry flows.PreviewChoice, which onCallback answers as a
// preview. Without a Previewer nothing is posted.
func (a *Admin) preview(ctx context.Context, chat int64, r flows.Reply) {
	if a.opts.Previews == nil {
		return
	}
	if _, err := a.send(ctx, chat, flows.Reply{Text: r.Text}); err != nil {
		a.log.Warn("telegram: admin: send preview", "chat_id", chat, "error", err)
		return
	}
	if err := a.opts.Previews.Preview(ctx, strconv.FormatInt(chat, 10), &r.Preview.Content, flows.PreviewChoice); err != nil {
		a.log.Warn("telegram: admin: send preview", "chat_id", chat, "error", err)
		a.say(ctx, chat, a.opts.Catalog.Localizer("").T("tg.preview_failed", "Reason", err.Error()))
	}
}
