package telegram

import (
	"context"
	"strconv"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
)

// mayAct reports whether user may use Herald: a listed admin user, or an
// administrator or the creator of one of the admin groups.
func (a *Admin) mayAct(ctx context.Context, user int64) bool {
	if a.users[user] {
		return true
	}
	for chat := range a.chats {
		if a.groupAdmin(ctx, chat, user) {
			return true
		}
	}
	return false
}

// groupAdmin asks Telegram whether user administers chat, trusting the
// answer for MemberTTL. A failed call counts as "no" and is not cached.
func (a *Admin) groupAdmin(ctx context.Context, chat, user int64) bool {
	admin, err := a.members.Get([2]int64{chat, user}, func() (bool, error) {
		m, err := a.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: chat, UserID: user})
		if err != nil {
			return false, err
		}
		return m.Type == models.ChatMemberTypeOwner || m.Type == models.ChatMemberTypeAdministrator, nil
	})
	if err != nil {
		a.log.Warn("telegram: admin: getChatMember", "chat_id", chat, "user_id", user, "error", err)
	}
	return admin
}

// IsAdmin implements flows.Access for Telegram users.
func (a *Admin) IsAdmin(frontend, userID string) bool {
	id, err := strconv.ParseInt(userID, 10, 64)
	if frontend != Frontend || err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return a.mayAct(ctx, id)
}

// MayApprove implements flows.Access: every Telegram admin may approve
// another admin's broadcast (flows still forbids approving one's own).
func (a *Admin) MayApprove(frontend, userID string) bool { return a.IsAdmin(frontend, userID) }

// refuse tells a non-admin politely that they cannot act, and records the
// attempt; nothing else happens.
func (a *Admin) refuse(ctx context.Context, chat int64, u *models.User, replyTo int, what string) {
	a.audit(u, "access.denied", what)
	text := a.loc(u).T("tg.not_admin", "Name", u.FirstName, "ID", u.ID)
	p := &bot.SendMessageParams{ChatID: chat, Text: text}
	if replyTo != 0 {
		p.ReplyParameters = &models.ReplyParameters{MessageID: replyTo, AllowSendingWithoutReply: true}
	}
	if _, err := a.bot.SendMessage(ctx, p); err != nil {
		a.log.Warn("telegram: admin: send refusal", "chat_id", chat, "error", err)
	}
}

func (a *Admin) audit(u *models.User, action, detail string) {
	err := a.opts.Audit.Audit(herald.AuditEntry{At: a.opts.Now(), Actor: Frontend + ":" + strconv.FormatInt(u.ID, 10),
		Action: action, Detail: detail})
	if err != nil {
		a.log.Error("telegram: admin: audit", "action", action, "error", err)
	}
}
