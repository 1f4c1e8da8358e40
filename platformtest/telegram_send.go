package platformtest

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// TelegramMessage is a message a bot sent, as the fake keeps it (with its
// edits applied).
type TelegramMessage struct {
	Token     string
	Chat      TelegramChat
	MessageID int
	Method    string // the method that sent it
	// Text is the text or caption as the user sees it: HTML tags removed,
	// entities decoded.
	Text         string
	ParseMode    string
	ReplyMarkup  string // the inline keyboard JSON, "" for none
	Photo        string // file_id of the photo, if any
	Document     string // file_id of the document, if any
	MediaGroupID string
	// Preview is the address Telegram fetched to draw the message's link
	// preview (see link_preview_options), "" for none.
	Preview  string
	Edits    int // successful editMessageText/editMessageReplyMarkup calls
	Deleted  bool
	Date     time.Time
	EditDate time.Time

	// Entities are the formatting Text shows (HTML parse mode).
	Entities []TelegramEntity
}

// tgChatLog numbers and keeps the messages of one chat.
type tgChatLog struct {
	last int
	msgs []*TelegramMessage // in message_id order
}

// Sent returns the messages bots sent to chatID, in order, edits applied
// (deleted ones included, flagged).
func (t *Telegram) Sent(chatID int64) []TelegramMessage {
	t.mu.Lock()
	defer t.mu.Unlock()
	l := t.logs[chatID]
	if l == nil {
		return nil
	}
	out := make([]TelegramMessage, len(l.msgs))
	for i, m := range l.msgs {
		out[i] = *m
	}
	return out
}

// Message returns one sent message.
func (t *Telegram) Message(chatID int64, messageID int) (TelegramMessage, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m := t.findMessage(chatID, messageID); m != nil {
		return *m, true
	}
	return TelegramMessage{}, false
}

// findMessage needs t.mu held.
func (t *Telegram) findMessage(chatID int64, messageID int) *TelegramMessage {
	if l := t.logs[chatID]; l != nil {
		for _, m := range l.msgs {
			if m.MessageID == messageID {
				return m
			}
		}
	}
	return nil
}

// store assigns message IDs to msgs (one chat), keeps them and records one
// delivery for the lot.
func (t *Telegram) store(c tgCall, content string, msgs ...*TelegramMessage) []any {
	now := t.rec.Now()
	t.mu.Lock()
	chatID := msgs[0].Chat.ID
	l := t.logs[chatID]
	if l == nil {
		l = &tgChatLog{}
		t.logs[chatID] = l
	}
	out := make([]any, len(msgs))
	for i, m := range msgs {
		l.last++
		m.Token, m.MessageID, m.Method, m.Date = c.token, l.last, c.method, now
		l.msgs = append(l.msgs, m)
		out[i] = t.messageJSON(m)
	}
	t.mu.Unlock()
	t.rec.Record(Delivery{Platform: "telegram", Token: c.token, Recipient: strconv.FormatInt(chatID, 10),
		Method: c.method, Content: content, RequestID: t.rec.NewRequestID(),
		MessageID: strconv.Itoa(msgs[0].MessageID), At: now})
	return out
}

// target resolves chat_id and refuses chats that blocked or removed the bot.
func (t *Telegram) target(c tgCall) (TelegramChat, *tgError) {
	chat, e := t.resolveChat(c.p.get("chat_id"))
	if e != nil {
		return chat, e
	}
	if t.Faults.Blocked(strconv.FormatInt(chat.ID, 10)) {
		return chat, &tgError{status: 403, desc: blockedDescription(chat.Type)}
	}
	return chat, t.chatLimit(chat)
}

func blockedDescription(chatType string) string {
	switch chatType {
	case "group":
		return "Forbidden: bot was kicked from the group chat"
	case "supergroup":
		return "Forbidden: bot was kicked from the supergroup chat"
	case "channel":
		return "Forbidden: bot is not a member of the channel chat"
	}
	return "Forbidden: bot was blocked by the user"
}

func (t *Telegram) sendMessage(c tgCall) (any, *tgError) {
	chat, e := t.target(c)
	if e != nil {
		return nil, e
	}
	text, e := renderText(c.p.get("text"), c.p.get("parse_mode"), maxMessageText)
	if e != nil {
		return nil, e
	}
	kb, marker, e := t.markups.check(c.p.get("reply_markup"))
	if e != nil {
		return nil, e
	}
	entities := entitiesOf(c.p.get("text"), c.p.get("parse_mode"))
	preview, e := linkPreview(c.p.get("link_preview_options"), text, entities)
	if e != nil {
		return nil, e
	}
	m := &TelegramMessage{Chat: chat, Text: text, ParseMode: c.p.get("parse_mode"), ReplyMarkup: kb,
		Entities: entities, Preview: preview}
	return t.store(c, text+marker, m)[0], nil
}

func (t *Telegram) sendPhoto(c tgCall) (any, *tgError) { return t.sendFile(c, "photo") }

func (t *Telegram) sendDocument(c tgCall) (any, *tgError) { return t.sendFile(c, "document") }

// sendFile sends a photo or document with an optional caption.
func (t *Telegram) sendFile(c tgCall, kind string) (any, *tgError) {
	chat, e := t.target(c)
	if e != nil {
		return nil, e
	}
	f, ref, e := t.inputFile(c, c.p.get(kind), c.p.files[kind], kind)
	if e != nil {
		return nil, e
	}
	caption, e := renderCaption(c.p.get("caption"), c.p.get("parse_mode"))
	if e != nil {
		return nil, e
	}
	kb, marker, e := t.markups.check(c.p.get("reply_markup"))
	if e != nil {
		return nil, e
	}
	m := &TelegramMessage{Chat: chat, Text: caption, ParseMode: c.p.get("parse_mode"), ReplyMarkup: kb,
		Entities: entitiesOf(c.p.get("caption"), c.p.get("parse_mode"))}
	if kind == "photo" {
		m.Photo = f.ID
	} else {
		m.Document = f.ID
	}
	return t.store(c, "["+kind+":"+ref+"] "+caption+marker, m)[0], nil
}

func renderCaption(caption, mode string) (string, *tgError) {
	if caption == "" {
		return "", nil
	}
	text, e := renderText(caption, mode, maxCaption)
	if e != nil && e.desc == "Bad Request: message is too long" {
		return "", tgBad("message caption is too long")
	}
	return text, e
}

// inputMedia is one element of sendMediaGroup's media array.
type inputMedia struct {
	Type      string `json:"type"`
	Media     string `json:"media"`
	Caption   string `json:"caption"`
	ParseMode string `json:"parse_mode"`
}

func (t *Telegram) sendMediaGroup(c tgCall) (any, *tgError) {
	chat, e := t.target(c)
	if e != nil {
		return nil, e
	}
	var media []inputMedia
	if err := json.Unmarshal([]byte(c.p.get("media")), &media); err != nil {
		return nil, tgBad("can't parse media JSON object")
	}
	switch {
	case len(media) == 0:
		return nil, tgBad("media to send are not specified")
	case len(media) > 10:
		return nil, tgBad("too much messages to send as an album")
	case len(media) < 2:
		return nil, tgBad("wrong number of media specified")
	}
	groupID := strconv.FormatInt(t.rec.Now().UnixNano(), 10)
	var msgs []*TelegramMessage
	var content []string
	for i, im := range media {
		if im.Type != "photo" && im.Type != "video" && im.Type != "document" && im.Type != "audio" {
			return nil, tgBad("unsupported media type specified in media #" + strconv.Itoa(i+1))
		}
		f, ref, e := t.inputFile(c, im.Media, upload{}, im.Type)
		if e != nil {
			return nil, e
		}
		caption, e := renderCaption(im.Caption, im.ParseMode)
		if e != nil {
			return nil, e
		}
		m := &TelegramMessage{Chat: chat, Text: caption, ParseMode: im.ParseMode, MediaGroupID: groupID}
		if im.Type == "photo" {
			m.Photo = f.ID
		} else {
			m.Document = f.ID
		}
		msgs = append(msgs, m)
		content = append(content, "["+im.Type+":"+ref+"] "+caption)
	}
	return t.store(c, "[album] "+strings.Join(content, " | "), msgs...), nil
}

// editTarget resolves the chat and message an edit or delete names.
func (t *Telegram) editTarget(c tgCall) (int64, int, *tgError) {
	if c.p.get("inline_message_id") != "" {
		return 0, 0, tgBad("inline messages are not supported by this fake")
	}
	chat, e := t.target(c)
	if e != nil {
		return 0, 0, e
	}
	id, e := intParam(c, "message_id", 0)
	return chat.ID, int(id), e
}

// ownMessage finds a message the calling bot sent; t.mu must be held.
// verb is "edit" or "delete".
func (t *Telegram) ownMessage(c tgCall, chatID int64, id int, verb string) (*TelegramMessage, *tgError) {
	m := t.findMessage(chatID, id)
	if m == nil || m.Deleted {
		return nil, tgBad("message to " + verb + " not found")
	}
	if m.Token != c.token {
		return nil, tgBad("message can't be " + strings.TrimSuffix(verb, "e") + "ed")
	}
	return m, nil
}

var errTgNotModified = tgBad("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")

func (t *Telegram) editMessageText(c tgCall) (any, *tgError) {
	text, e := renderText(c.p.get("text"), c.p.get("parse_mode"), maxMessageText)
	if e != nil {
		return nil, e
	}
	return t.edit(c, func(m *TelegramMessage, kb string) *tgError {
		if m.Photo != "" || m.Document != "" {
			return tgBad("there is no text in the message to edit")
		}
		if m.Text == text && m.ReplyMarkup == kb {
			return errTgNotModified
		}
		m.Text, m.ParseMode, m.ReplyMarkup = text, c.p.get("parse_mode"), kb
		return nil
	})
}

func (t *Telegram) editMessageReplyMarkup(c tgCall) (any, *tgError) {
	return t.edit(c, func(m *TelegramMessage, kb string) *tgError {
		if m.ReplyMarkup == kb {
			return errTgNotModified
		}
		m.ReplyMarkup = kb
		return nil
	})
}

// edit checks the new reply_markup and finds the calling bot's message, then
// lets change refuse or apply the edit under t.mu, and counts it.
func (t *Telegram) edit(c tgCall, change func(m *TelegramMessage, kb string) *tgError) (any, *tgError) {
	kb, _, e := t.markups.check(c.p.get("reply_markup"))
	if e != nil {
		return nil, e
	}
	chatID, id, e := t.editTarget(c)
	if e != nil {
		return nil, e
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m, e := t.ownMessage(c, chatID, id, "edit")
	if e != nil {
		return nil, e
	}
	if e := change(m, kb); e != nil {
		return nil, e
	}
	m.Edits++
	m.EditDate = t.rec.Now()
	return t.messageJSON(m), nil
}

func (t *Telegram) deleteMessage(c tgCall) (any, *tgError) {
	chatID, id, e := t.editTarget(c)
	if e != nil {
		return nil, e
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	m, e := t.ownMessage(c, chatID, id, "delete")
	if e != nil {
		return nil, e
	}
	m.Deleted = true
	return true, nil
}
