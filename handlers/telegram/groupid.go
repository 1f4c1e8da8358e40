package telegram

import (
	"context"
	"sync"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// adminChatsKey is the config key that makes a group an admin chat; the
// log line and the /chatid answer name it so nobody has to read code.
const adminChatsKey = "telegram.admin_chat_ids"

// groupIDs helps an operator find a group's ID: the first time the bot
// is added to a group that is not an admin chat, or hears a command there,
// it logs the group's ID, title and the key to put it in; /chatid (from
// anyone) and /start (from a group administrator) are answered in the
// group with the ID and what to do with it.
type groupIDs struct {
	logged sync.Map // chat ID → true, once per process
}

// noticeGroup runs for every update of a chat that is not an admin chat.
func (h *Handler) noticeGroup(ctx context.Context, upd *models.Update) {
	var chat models.Chat
	var cmd string
	var from *models.User
	switch {
	case upd.MyChatMember != nil && isIn(upd.MyChatMember.NewChatMember):
		chat, from = upd.MyChatMember.Chat, &upd.MyChatMember.From
	case upd.Message != nil:
		chat, from = upd.Message.Chat, upd.Message.From
		if cmd, _ = command(upd.Message.Text); cmd == "" {
			return
		}
	default:
		return
	}
	if chat.Type != models.ChatTypeGroup && chat.Type != models.ChatTypeSupergroup {
		return
	}
	if _, seen := h.groups.logged.LoadOrStore(chat.ID, true); !seen {
		h.log.Info("telegram: the bot is in a group that is not an admin chat; it is kept as a group recipient (reached only by broadcasts to group chats); to manage broadcasts there, add its ID to "+adminChatsKey,
			"chat_id", chat.ID, "title", chat.Title, "config_key", adminChatsKey)
	}
	if h.opts.Catalog == nil || from == nil || (cmd != "chatid" && cmd != "start") {
		return
	}
	h.opts.Inbox.Later(h.key(chat.ID).String(), func(ctx context.Context) {
		if cmd == "start" && !h.administers(ctx, chat.ID, from.ID) {
			return
		}
		text := h.opts.Catalog.Localizer(from.LanguageCode).T("tg.chatid", "ID", chat.ID, "Title", chat.Title)
		if _, err := h.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat.ID, Text: text}); err != nil {
			h.log.Warn("telegram: answer /chatid", "chat_id", chat.ID, "error", err)
		}
	})
}

// administers asks Telegram whether user is an administrator or the
// creator of chat; a failed call counts as no.
func (h *Handler) administers(ctx context.Context, chat, user int64) bool {
	m, err := h.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: chat, UserID: user})
	if err != nil {
		h.log.Warn("telegram: getChatMember", "chat_id", chat, "user_id", user, "error", err)
		return false
	}
	return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator
}
