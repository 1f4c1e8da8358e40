package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Telegram's limits on one message.
const (
	maxText    = 4096
	maxCaption = 1024
)

// pressedMsg is the message whose button started this turn.
type pressedMsg struct {
	msg   *models.Message
	data  string
	owned bool // a wizard message (not a progress or report message)
}

// deliver renders flows replies. The first reply marked Edit replaces the
// pressed message; otherwise a pressed wizard message loses its buttons
// and shows what was chosen, so the chat reads as a transcript.
func (a *Admin) deliver(ctx context.Context, chat, user int64, private bool, pressed *pressedMsg, replies []flows.Reply) {
	edited := false
	for _, r := range replies {
		if r.Edit && pressed != nil && !edited && r.File == nil {
			edited = true
			if err := a.edit(ctx, chat, pressed.msg.ID, r); err == nil {
				a.track(chat, user, pressed.msg.ID, r)
				continue
			}
		}
		if !edited && pressed != nil && pressed.owned {
			edited = true
			a.markChosen(ctx, chat, pressed)
		}
		if r.Preview != nil {
			a.preview(ctx, chat, r)
			continue
		}
		if !private && (r.Expect == flows.ExpectText || r.Expect == flows.ExpectFile) {
			r.Text += "\n\n" + a.opts.Catalog.Localizer("").T("tg.reply_hint")
		}
		id, err := a.send(ctx, chat, r)
		if err != nil {
			a.log.Warn("telegram: admin: send reply", "chat_id", chat, "error", err)
			continue
		}
		a.track(chat, user, id, r)
		if r.Undo != "" {
			a.opts.Offers.Offered(r.Undo, herald.Origin{Frontend: Frontend, ChatID: strconv.FormatInt(chat, 10),
				UserID: strconv.FormatInt(user, 10)}, strconv.Itoa(id))
		}
	}
}

// track remembers who a wizard message belongs to and what it waits for.
func (a *Admin) track(chat, user int64, id int, r flows.Reply) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(r.Choices) > 0 {
		a.owners.set(msgKey{chat, id}, user)
	}
	if r.Expect != flows.ExpectNothing || len(r.Choices) > 0 {
		a.expects[convKey{chat, user}] = r.Expect
	}
}

// markChosen removes the buttons of a pressed wizard message and appends
// the label of the pressed one.
func (a *Admin) markChosen(ctx context.Context, chat int64, p *pressedMsg) {
	label := p.data
	if kb := p.msg.ReplyMarkup; kb != nil {
		for _, row := range kb.InlineKeyboard {
			for _, b := range row {
				if b.CallbackData == p.data {
					label = b.Text
				}
			}
		}
	}
	text := p.msg.Text + "\n\n→ " + label
	params := &bot.EditMessageTextParams{ChatID: chat, MessageID: p.msg.ID, Text: truncate(text, maxText)}
	if params.Text == text {
		params.Entities = p.msg.Entities // the quoted message keeps its formatting
	}
	if _, err := a.bot.EditMessageText(ctx, params); err != nil {
		a.log.Debug("telegram: admin: mark choice", "chat_id", chat, "error", err)
	}
}

// send posts one reply (a document when it has a file) and returns the
// ID of the message carrying its buttons.
func (a *Admin) send(ctx context.Context, chat int64, r flows.Reply) (int, error) {
	text, mode := a.format(r)
	if r.File != nil {
		p := &bot.SendDocumentParams{ChatID: chat, Document: &models.InputFileUpload{Filename: r.File.Name, Data: bytes.NewReader(r.File.Data)}}
		if utf8.RuneCountInString(text) <= maxCaption {
			p.Caption, p.ParseMode, p.ReplyMarkup = text, mode, keyboard(r)
			m, err := a.bot.SendDocument(ctx, p)
			if err != nil {
				return 0, fmt.Errorf("telegram: admin: sendDocument: %w", err)
			}
			return m.ID, nil
		}
		if _, err := a.bot.SendDocument(ctx, p); err != nil {
			return 0, fmt.Errorf("telegram: admin: sendDocument: %w", err)
		}
	}
	var last *models.Message
	chunks := split(text, maxText)
	for i, c := range chunks {
		p := &bot.SendMessageParams{ChatID: chat, Text: c, ParseMode: mode}
		if i == len(chunks)-1 {
			p.ReplyMarkup = keyboard(r)
		}
		m, err := a.bot.SendMessage(ctx, p)
		if err != nil {
			return 0, fmt.Errorf("telegram: admin: sendMessage: %w", err)
		}
		last = m
	}
	if last == nil {
		return 0, nil
	}
	return last.ID, nil
}

func (a *Admin) edit(ctx context.Context, chat int64, id int, r flows.Reply) error {
	text, mode := a.format(r)
	p := &bot.EditMessageTextParams{ChatID: chat, MessageID: id, Text: truncate(text, maxText), ParseMode: mode}
	if kb := keyboard(r); kb != nil {
		p.ReplyMarkup = kb
	}
	if _, err := a.bot.EditMessageText(ctx, p); err != nil && !notModified(err) {
		return fmt.Errorf("telegram: admin: editMessageText: %w", err)
	}
	return nil
}

// notModified is Telegram's answer to an edit that changes nothing (a
// button pressed twice): the message already shows the reply, so it is
// not posted again.
func notModified(err error) bool {
	return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message is not modified")
}

func (a *Admin) say(ctx context.Context, chat int64, text string) {
	if _, err := a.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: text}); err != nil {
		a.log.Warn("telegram: admin: send", "chat_id", chat, "error", err)
	}
}

// Post implements adminchat.Surface: a progress or report message in the
// origin chat, open to every admin's presses.
func (a *Admin) Post(ctx context.Context, o herald.Origin, r flows.Reply) (string, error) {
	chat, err := strconv.ParseInt(o.ChatID, 10, 64)
	if err != nil {
		return "", fmt.Errorf("telegram: admin: bad chat ID %q", o.ChatID)
	}
	id, err := a.send(ctx, chat, r)
	return strconv.Itoa(id), err
}

// Edit implements adminchat.Surface.
func (a *Admin) Edit(ctx context.Context, o herald.Origin, ref string, r flows.Reply) error {
	chat, err := strconv.ParseInt(o.ChatID, 10, 64)
	if err != nil {
		return fmt.Errorf("telegram: admin: bad chat ID %q", o.ChatID)
	}
	id, err := strconv.Atoi(ref)
	if err != nil {
		return fmt.Errorf("telegram: admin: bad message ref %q", ref)
	}
	return a.edit(ctx, chat, id, r)
}

// format returns a reply's text and parse mode: HTML <pre> for
// preformatted text; HTML with the message's own formatting where the
// reply quotes it (flows.Reply.Markup), its prose escaped, when that fits
// one message (a split or a cut could break a tag); else plain text.
func (a *Admin) format(r flows.Reply) (string, models.ParseMode) {
	if r.Pre {
		return "<pre>" + html.EscapeString(r.Text) + "</pre>", models.ParseModeHTML
	}
	if len(r.Markup) > 0 && a.opts.HTML != nil {
		if text := r.Render(html.EscapeString, a.opts.HTML); utf8.RuneCountInString(text) <= maxText {
			return text, models.ParseModeHTML
		}
	}
	return r.Text, ""
}

// keyboard lays choices out as an inline keyboard: navigation (Back,
// Cancel, Done, Skip) on the last row, other choices one per row, or two
// per row when there are many short ones.
func keyboard(r flows.Reply) models.ReplyMarkup {
	if len(r.Choices) == 0 {
		return nil
	}
	var main, nav []models.InlineKeyboardButton
	short := true
	for _, c := range r.Choices {
		label := c.Label
		if c.Checked {
			label = "✅ " + label
		}
		b := models.InlineKeyboardButton{Text: label, CallbackData: c.ID}
		switch c.ID {
		case "back", "cancel", "done", "skip":
			nav = append(nav, b)
		default:
			main = append(main, b)
			short = short && utf8.RuneCountInString(label) <= 18
		}
	}
	perRow := 1
	if short && len(main) > 4 {
		perRow = 2
	}
	var rows [][]models.InlineKeyboardButton
	for i := 0; i < len(main); i += perRow {
		rows = append(rows, main[i:min(i+perRow, len(main))])
	}
	if len(nav) > 0 {
		rows = append(rows, nav)
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

// split cuts text into pieces of at most n runes, at line breaks where it can.
func split(text string, n int) []string {
	var out []string
	r := []rune(text)
	for len(r) > n {
		cut := n
		for i := n; i > n/2; i-- {
			if r[i-1] == '\n' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		r = r[cut:]
	}
	return append(out, string(r))
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
