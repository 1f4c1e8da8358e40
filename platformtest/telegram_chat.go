package platformtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// resolveChat finds the chat a chat_id names (an ID or @username). Chats the
// test never added exist unless removed: their kind follows the ID's sign.
func (t *Telegram) resolveChat(ref string) (TelegramChat, *tgError) {
	if ref == "" {
		return TelegramChat{}, tgBad("chat_id is empty")
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if name, ok := strings.CutPrefix(ref, "@"); ok {
		for _, c := range t.chats {
			if strings.EqualFold(c.Username, name) && !t.gone[c.ID] {
				return *c, nil
			}
		}
		return TelegramChat{}, errTgChatNotFound
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil || id == 0 || t.gone[id] {
		return TelegramChat{}, errTgChatNotFound
	}
	if to, ok := t.migrated[id]; ok {
		return TelegramChat{}, errTgMigrated(to)
	}
	if c := t.chats[id]; c != nil {
		return *c, nil
	}
	return madeUpChat(id), nil
}

func madeUpChat(id int64) TelegramChat {
	s := strconv.FormatInt(id, 10)
	switch {
	case id > 0:
		return TelegramChat{ID: id, Type: "private", FirstName: "User " + s}
	case id < -1_000_000_000_000:
		return TelegramChat{ID: id, Type: "supergroup", Title: "Group " + s}
	}
	return TelegramChat{ID: id, Type: "group", Title: "Group " + s}
}

type tgPhotoSize struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
	FileSize     int    `json:"file_size,omitempty"`
}

type tgDocument struct {
	FileID       string `json:"file_id"`
	FileUniqueID string `json:"file_unique_id"`
	FileName     string `json:"file_name,omitempty"`
	MimeType     string `json:"mime_type,omitempty"`
	FileSize     int    `json:"file_size,omitempty"`
}

type tgMessageJSON struct {
	MessageID    int             `json:"message_id"`
	From         tgUser          `json:"from"`
	Chat         TelegramChat    `json:"chat"`
	Date         int64           `json:"date"`
	EditDate     int64           `json:"edit_date,omitempty"`
	MediaGroupID string          `json:"media_group_id,omitempty"`
	Text         string          `json:"text,omitempty"`
	Caption      string          `json:"caption,omitempty"`
	Photo        []tgPhotoSize   `json:"photo,omitempty"`
	Document     *tgDocument     `json:"document,omitempty"`
	ReplyMarkup  json.RawMessage `json:"reply_markup,omitempty"`
}

// messageJSON renders a stored message as a Bot API Message; t.mu must be
// held.
func (t *Telegram) messageJSON(m *TelegramMessage) tgMessageJSON {
	out := tgMessageJSON{MessageID: m.MessageID, From: botUser(m.Token), Chat: m.Chat,
		Date: m.Date.Unix(), MediaGroupID: m.MediaGroupID}
	if !m.EditDate.IsZero() {
		out.EditDate = m.EditDate.Unix()
	}
	if m.ReplyMarkup != "" {
		out.ReplyMarkup = json.RawMessage(m.ReplyMarkup)
	}
	switch {
	case m.Photo != "":
		f := t.files[m.Photo]
		out.Caption = m.Text
		out.Photo = []tgPhotoSize{{FileID: f.ID, FileUniqueID: f.UniqueID, Width: 800, Height: 600, FileSize: len(f.Data)}}
	case m.Document != "":
		f := t.files[m.Document]
		out.Caption = m.Text
		out.Document = &tgDocument{FileID: f.ID, FileUniqueID: f.UniqueID, FileName: f.Name,
			MimeType: http.DetectContentType(f.Data), FileSize: len(f.Data)}
	default:
		out.Text = m.Text
	}
	return out
}

func (t *Telegram) getChat(c tgCall) (any, *tgError) {
	chat, e := t.resolveChat(c.p.get("chat_id"))
	if e != nil {
		return nil, e
	}
	return chat, nil
}

func (t *Telegram) getChatMember(c tgCall) (any, *tgError) {
	chat, e := t.resolveChat(c.p.get("chat_id"))
	if e != nil {
		return nil, e
	}
	userID, e := intParam(c, "user_id", 0)
	if e != nil {
		return nil, e
	}
	if userID <= 0 {
		return nil, tgBad("invalid user_id specified")
	}
	t.mu.Lock()
	status := t.members[[2]int64{chat.ID, userID}]
	t.mu.Unlock()
	if status == "" {
		status = "member"
	}
	user := tgUser{ID: userID, FirstName: "User " + strconv.FormatInt(userID, 10)}
	if userID == botID(c.token) {
		user = botUser(c.token)
	}
	out := map[string]any{"status": status, "user": user}
	switch status {
	case "creator":
		out["is_anonymous"] = false
	case "administrator":
		for _, right := range []string{"can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages",
			"can_manage_video_chats", "can_restrict_members", "can_promote_members", "can_change_info",
			"can_invite_users", "can_post_stories", "can_edit_stories", "can_delete_stories"} {
			out[right] = right == "can_manage_chat" || right == "can_delete_messages" || right == "can_invite_users"
		}
	case "restricted", "kicked":
		out["until_date"] = 0
	}
	return out, nil
}

func (t *Telegram) answerCallbackQuery(c tgCall) (any, *tgError) {
	id := c.p.get("callback_query_id")
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.callbacks[id] {
		return nil, tgBad("query is too old and response timeout expired or query ID is invalid")
	}
	delete(t.callbacks, id)
	t.answers = append(t.answers, CallbackAnswer{Token: c.token, CallbackQueryID: id,
		Text: c.p.get("text"), ShowAlert: c.p.get("show_alert") == "true"})
	return true, nil
}

// TelegramCommand is one entry of a bot's command menu.
type TelegramCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// commandsKey names a command list by scope and language, like the API.
func commandsKey(c tgCall) string {
	var scope struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
	}
	_ = json.Unmarshal([]byte(c.p.get("scope")), &scope)
	if scope.Type == "" {
		scope.Type = "default"
	}
	key := scope.Type
	if len(scope.ChatID) > 0 {
		key += ":" + strings.Trim(string(scope.ChatID), `"`)
	}
	return key + "/" + c.p.get("language_code")
}

func (t *Telegram) setMyCommands(c tgCall) (any, *tgError) {
	var cmds []TelegramCommand
	if err := json.Unmarshal([]byte(c.p.get("commands")), &cmds); err != nil {
		return nil, tgBad("can't parse commands JSON object")
	}
	if len(cmds) > 100 {
		return nil, tgBad("too many commands specified")
	}
	for _, cmd := range cmds {
		if !validCommand(cmd.Command) {
			return nil, tgBad("BOT_COMMAND_INVALID")
		}
		if n := len([]rune(cmd.Description)); n == 0 || n > 256 {
			return nil, tgBad("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.bot(c.token).commands[commandsKey(c)] = cmds
	return true, nil
}

func validCommand(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

func (t *Telegram) getMyCommands(c tgCall) (any, *tgError) {
	t.mu.Lock()
	defer t.mu.Unlock()
	cmds := t.bot(c.token).commands[commandsKey(c)]
	if cmds == nil {
		cmds = []TelegramCommand{}
	}
	return cmds, nil
}

// Commands returns the commands a bot set for a scope ("default",
// "all_group_chats", "chat:<id>", …) and language code ("" for all).
func (t *Telegram) Commands(token, scope, languageCode string) []TelegramCommand {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]TelegramCommand(nil), t.bot(token).commands[scope+"/"+languageCode]...)
}
