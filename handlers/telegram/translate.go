package telegram

import (
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
)

// meta is what the handler needs after an event is recorded: where to
// confirm and which callback query to answer.
type meta struct {
	chatID     int64
	command    string // "start" or "stop"
	callbackID string
	// movedFrom is the group's old ID when the event is a group that became
	// a supergroup (the event's key is the new ID): the subscriber moves
	// before the event is recorded.
	movedFrom int64
}

// maxStartParam is Telegram's own limit on a deep-link payload.
const maxStartParam = 64

// translate turns one update into end-user events. Updates Herald does not
// use (edits, channel posts, inline queries…) yield none.
func translate(upd *models.Update) ([]inbound.Event, []meta) {
	switch {
	case upd.Message != nil:
		return fromMessage(upd.Message)
	case upd.MyChatMember != nil:
		return fromMembership(upd.MyChatMember)
	case upd.CallbackQuery != nil:
		return fromCallback(upd.CallbackQuery)
	}
	return nil, nil
}

func fromMessage(msg *models.Message) ([]inbound.Event, []meta) {
	at := unixTime(msg.Date)
	switch msg.Chat.Type {
	case models.ChatTypePrivate:
	case models.ChatTypeGroup, models.ChatTypeSupergroup:
		// A group that became a supergroup has a new ID. Telegram says so
		// twice: in the old chat (migrate_to_chat_id), then in the new one
		// (migrate_from_chat_id); the first to arrive moves the subscriber,
		// the second finds it moved.
		if from, to, ok := migration(msg); ok {
			return []inbound.Event{{Kind: inbound.Message, Key: chatKey(to), Group: true, At: at, Name: msg.Chat.Title}},
				[]meta{{movedFrom: from}}
		}
		return []inbound.Event{{Kind: inbound.Message, Key: chatKey(msg.Chat.ID), Group: true, At: at, Name: msg.Chat.Title}}, []meta{{}}
	default:
		return nil, nil
	}
	ev := inbound.Event{Kind: inbound.Message, Key: chatKey(msg.Chat.ID), At: at}
	if msg.From != nil {
		ev.Name = fullName(msg.From.FirstName, msg.From.LastName)
		ev.Locale = msg.From.LanguageCode
	}
	m := meta{chatID: msg.Chat.ID}
	text := msg.Text
	if text == "" {
		text = msg.Caption
	}
	switch cmd, arg := command(text); cmd {
	case "start":
		ev.Kind, m.command = inbound.Subscribe, "start"
		if arg != "" && len(arg) <= maxStartParam {
			ev.Attributes = map[string]string{inbound.StartParamAttr: arg}
		}
	case "stop":
		ev.Kind, m.command = inbound.Unsubscribe, "stop"
	default:
		ev.Text = text
	}
	return []inbound.Event{ev}, []meta{m}
}

// migration reads a group's move to a supergroup from either of the
// service messages that announce it.
func migration(msg *models.Message) (from, to int64, ok bool) {
	switch {
	case msg.MigrateToChatID != 0:
		return msg.Chat.ID, msg.MigrateToChatID, true
	case msg.MigrateFromChatID != 0:
		return msg.MigrateFromChatID, msg.Chat.ID, true
	}
	return 0, 0, false
}

// command splits "/start@HeraldBot payload" into "start" and "payload".
func command(text string) (cmd, arg string) {
	if !strings.HasPrefix(text, "/") {
		return "", ""
	}
	head, arg, _ := strings.Cut(text[1:], " ")
	head, _, _ = strings.Cut(head, "@")
	return strings.ToLower(head), strings.TrimSpace(arg)
}

// fromMembership handles my_chat_member: the bot's own membership changed.
// In a private chat that means the user blocked (kicked) or unblocked it.
func fromMembership(u *models.ChatMemberUpdated) ([]inbound.Event, []meta) {
	at := unixTime(u.Date)
	in := isIn(u.NewChatMember)
	if u.Chat.Type == models.ChatTypePrivate {
		ev := inbound.Event{Kind: inbound.Blocked, Key: chatKey(u.Chat.ID), At: at,
			Name: fullName(u.From.FirstName, u.From.LastName), Locale: u.From.LanguageCode}
		if in {
			ev.Kind = inbound.Subscribe
		}
		return []inbound.Event{ev}, []meta{{}}
	}
	ev := inbound.Event{Kind: inbound.Left, Key: chatKey(u.Chat.ID), Group: true, At: at, Name: u.Chat.Title}
	if in {
		ev.Kind = inbound.Joined
	}
	return []inbound.Event{ev}, []meta{{}}
}

func isIn(m models.ChatMember) bool {
	switch m.Type {
	case models.ChatMemberTypeOwner, models.ChatMemberTypeAdministrator, models.ChatMemberTypeMember:
		return true
	case models.ChatMemberTypeRestricted:
		return m.Restricted != nil && m.Restricted.IsMember
	}
	return false
}

// fromCallback handles a button press. A press under a message in a group
// is counted for the button but the presser, who may never have started
// the bot, is not made a subscriber.
func fromCallback(q *models.CallbackQuery) ([]inbound.Event, []meta) {
	chat, private := callbackChat(q)
	ev := inbound.Event{Kind: inbound.Tap, Key: chatKey(q.From.ID), Postback: q.Data,
		Name: fullName(q.From.FirstName, q.From.LastName), Locale: q.From.LanguageCode}
	if !private {
		ev.CountOnly = true
		ev.Name, ev.Locale = "", ""
	}
	m := meta{callbackID: q.ID, chatID: chat}
	if _, _, ok := herald.DecodePostback(q.Data); !ok {
		if !private {
			return []inbound.Event{}, nil // not ours, in a group: nothing to record
		}
		ev.Kind, ev.Postback = inbound.Message, ""
	}
	return []inbound.Event{ev}, []meta{m}
}

// callbackChat is the chat of the message a pressed button sits under.
func callbackChat(q *models.CallbackQuery) (id int64, private bool) {
	switch {
	case q.Message.Message != nil:
		return q.Message.Message.Chat.ID, q.Message.Message.Chat.Type == models.ChatTypePrivate
	case q.Message.InaccessibleMessage != nil:
		c := q.Message.InaccessibleMessage.Chat
		return c.ID, c.Type == models.ChatTypePrivate || c.ID == q.From.ID
	}
	return 0, false // an inline message: no chat to speak of
}

// chatOf returns the chat an update belongs to, whether it is private,
// and who sent it, for routing admin chats.
func chatOf(upd *models.Update) (chat int64, private bool, from int64) {
	var msg *models.Message
	switch {
	case upd.Message != nil:
		msg = upd.Message
	case upd.EditedMessage != nil:
		msg = upd.EditedMessage
	case upd.MyChatMember != nil:
		c := upd.MyChatMember.Chat
		return c.ID, c.Type == models.ChatTypePrivate, upd.MyChatMember.From.ID
	case upd.CallbackQuery != nil:
		id, private := callbackChat(upd.CallbackQuery)
		return id, private, upd.CallbackQuery.From.ID
	default:
		return 0, false, 0
	}
	if msg.From != nil {
		from = msg.From.ID
	}
	return msg.Chat.ID, msg.Chat.Type == models.ChatTypePrivate, from
}

// key is chat id's key on this handler's bot.
func (h *Handler) key(id int64) herald.SubscriberKey {
	k := chatKey(id)
	k.Account = h.opts.Account
	return k
}

func chatKey(id int64) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: herald.Telegram, ID: strconv.FormatInt(id, 10)}
}

func fullName(first, last string) string { return strings.TrimSpace(first + " " + last) }

func unixTime(sec int) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(sec), 0).UTC()
}
