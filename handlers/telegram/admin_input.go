package telegram

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// onMessage handles a text, photo or document in an admin chat.
func (a *Admin) onMessage(ctx context.Context, msg *models.Message) {
	private := msg.Chat.Type == models.ChatTypePrivate
	if !a.allowedChat(msg.Chat.ID, private, msg.From.ID) {
		return
	}
	in, ok := a.input(ctx, msg, private)
	if !ok {
		return // group chatter, or a command for another bot
	}
	if !a.mayAct(ctx, msg.From.ID) {
		a.refuse(ctx, msg.Chat.ID, msg.From, msg.ID, in.Text)
		return
	}
	if in.File == nil && len(a.fileOf(msg)) > 0 {
		f, err := a.download(ctx, msg)
		if err != nil {
			a.log.Warn("telegram: admin: download upload", "chat_id", msg.Chat.ID, "error", err)
			a.say(ctx, msg.Chat.ID, a.loc(msg.From).T("tg.file_failed"))
			return
		}
		in.File = f
	}
	replies, err := a.opts.Flows.Handle(ctx, in)
	if err != nil {
		a.log.Error("telegram: admin: flows", "chat_id", msg.Chat.ID, "error", err)
	}
	a.deliver(ctx, msg.Chat.ID, msg.From.ID, private, nil, replies)
}

// input turns a message into flows input. In a group only messages meant
// for Herald count: a reply to the bot, a mention of it, a command (not
// addressed to another bot), or a file when the wizard waits for one.
func (a *Admin) input(ctx context.Context, msg *models.Message, private bool) (flows.Input, bool) {
	in := flows.Input{Frontend: Frontend, ChatID: strconv.FormatInt(msg.Chat.ID, 10),
		UserID: strconv.FormatInt(msg.From.ID, 10), UserName: fullName(msg.From.FirstName, msg.From.LastName)}
	me := a.botUser(ctx)
	text := strings.TrimSpace(msg.Text)
	mention := ""
	if me.Username != "" {
		mention = "@" + me.Username
	}
	addressed := private || (msg.ReplyToMessage != nil && msg.ReplyToMessage.From != nil && msg.ReplyToMessage.From.ID == me.ID)
	if cmd, _, _ := strings.Cut(text, " "); strings.HasPrefix(cmd, "/") {
		if _, to, ok := strings.Cut(cmd, "@"); ok && !strings.EqualFold("@"+to, mention) {
			return in, false
		}
		addressed = true
	}
	if mention != "" && (strings.Contains(strings.ToLower(text), strings.ToLower(mention)) ||
		strings.Contains(strings.ToLower(msg.Caption), strings.ToLower(mention))) {
		addressed = true
		text = strings.TrimSpace(strings.ReplaceAll(text, mention, ""))
	}
	if len(a.fileOf(msg)) > 0 {
		a.mu.Lock()
		waiting := a.expects[convKey{msg.Chat.ID, msg.From.ID}] == flows.ExpectFile
		a.mu.Unlock()
		return in, addressed || waiting
	}
	if text == "" {
		return in, false
	}
	// The admin's formatting comes as entities on the message as sent:
	// they move with the words when the mention is cut out.
	in.Text, in.Formatted = text, true
	cut, sp := withoutMention(msg.Text, spans(msg.Text, msg.Entities), mention)
	if trimmed, sp := herald.TrimFormatted(cut, sp); trimmed == text {
		in.Spans = sp
	}
	return in, addressed
}

// fileOf is the file ID of a message's photo (largest size) or document.
func (a *Admin) fileOf(msg *models.Message) string {
	switch {
	case msg.Document != nil:
		return msg.Document.FileID
	case len(msg.Photo) > 0:
		return msg.Photo[len(msg.Photo)-1].FileID
	}
	return ""
}

// download fetches an uploaded photo or document with getFile.
func (a *Admin) download(ctx context.Context, msg *models.Message) (*flows.File, error) {
	f := &flows.File{Name: "photo.jpg", ContentType: "image/jpeg"}
	if d := msg.Document; d != nil {
		f.Name, f.ContentType = d.FileName, d.MimeType
		if d.FileSize > a.opts.MaxFile {
			return nil, fmt.Errorf("telegram: admin: file of %d bytes is over the limit", d.FileSize)
		}
	}
	file, err := a.bot.GetFile(ctx, &bot.GetFileParams{FileID: a.fileOf(msg)})
	if err != nil {
		return nil, fmt.Errorf("telegram: admin: getFile: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.bot.FileDownloadLink(file), nil)
	if err != nil {
		return nil, fmt.Errorf("telegram: admin: download: bad file path")
	}
	resp, err := a.opts.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: admin: download failed") // the URL holds the token: never wrap it
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("telegram: admin: download: HTTP %d", resp.StatusCode)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, a.opts.MaxFile+1))
	if err != nil {
		return nil, fmt.Errorf("telegram: admin: download: %w", err)
	}
	if int64(len(data)) > a.opts.MaxFile {
		return nil, fmt.Errorf("telegram: admin: file is over %d bytes", a.opts.MaxFile)
	}
	if f.ContentType == "" {
		f.ContentType = http.DetectContentType(data)
	}
	f.Data = data
	return f, nil
}

// onCallback handles a press on one of Herald's buttons: it answers the
// query first (Telegram shows a spinner until then), refuses presses on
// another admin's wizard and by non-admins, then runs the choice.
func (a *Admin) onCallback(ctx context.Context, cq *models.CallbackQuery) {
	chat, private := callbackChat(cq)
	pressed := cq.Message.Message
	if !a.allowedChat(chat, private, cq.From.ID) {
		a.answer(ctx, cq.ID, "", false)
		return
	}
	loc := a.loc(&cq.From)
	if cq.Data == flows.PreviewChoice { // a button of a preview: no tap, no wizard step
		a.answer(ctx, cq.ID, loc.T("tg.preview_tap"), false)
		return
	}
	var owner int64
	if pressed != nil {
		a.mu.Lock()
		owner = a.owners.get(msgKey{chat, pressed.ID})
		a.mu.Unlock()
	}
	if !a.mayAct(ctx, cq.From.ID) {
		a.audit(&cq.From, "access.denied", cq.Data)
		a.answer(ctx, cq.ID, loc.T("tg.not_admin", "Name", cq.From.FirstName, "ID", cq.From.ID), true)
		return
	}
	if owner != 0 && owner != cq.From.ID {
		a.answer(ctx, cq.ID, loc.T("tg.not_your_wizard"), true)
		return
	}
	a.answer(ctx, cq.ID, "", false)
	in := flows.Input{Frontend: Frontend, ChatID: strconv.FormatInt(chat, 10), UserID: strconv.FormatInt(cq.From.ID, 10),
		UserName: fullName(cq.From.FirstName, cq.From.LastName), Choice: cq.Data}
	replies, err := a.opts.Flows.Handle(ctx, in)
	if err != nil {
		a.log.Error("telegram: admin: flows", "chat_id", chat, "error", err)
	}
	var p *pressedMsg
	if pressed != nil {
		p = &pressedMsg{msg: pressed, data: cq.Data, owned: owner != 0}
	}
	a.deliver(ctx, chat, cq.From.ID, private, p, replies)
}

func (a *Admin) answer(ctx context.Context, id, text string, alert bool) {
	if _, err := a.bot.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text, ShowAlert: alert}); err != nil {
		a.log.Warn("telegram: admin: answer callback query", "error", err)
	}
}
