package platformtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

const tgToken = "123456:TEST-token"

type tgFixture struct {
	served[*Telegram] // url: where the Bot API is served
	bot               *bot.Bot
}

// newTgFixture serves a Telegram fake (under mount, "" for the root) and
// points a real go-telegram/bot client at it.
func newTgFixture(t *testing.T, mount string) tgFixture {
	t.Helper()
	rec := NewRecorder(nil)
	s := serveFake(t, NewTelegram(rec), rec, mount)
	b, err := bot.New(tgToken, bot.WithServerURL(s.url), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return tgFixture{s, b}
}

// call makes a plain HTTP Bot API call with a JSON body and returns the
// status and the decoded answer.
func (f tgFixture) call(t *testing.T, token, method string, body any) (int, map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(body)
	res, err := http.Post(f.url+"/bot"+token+"/"+method, "application/json", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("%s: answer is not JSON: %v", method, err)
	}
	return res.StatusCode, out
}

func keyboard(rows ...[]models.InlineKeyboardButton) *models.InlineKeyboardMarkup {
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}
}

func TestTelegramSendMessageNumbersMessagesPerChatAndRecords(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	first, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "<b>Sale</b> &amp; more",
		ParseMode: models.ParseModeHTML, ReplyMarkup: keyboard([]models.InlineKeyboardButton{
			{Text: "Yes", CallbackData: "y"}, {Text: "No", CallbackData: "n"}})})
	if err != nil {
		t.Fatal(err)
	}
	second, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: "again"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: "-100777", Text: "group"})
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != 1 || second.ID != 2 || other.ID != 1 {
		t.Errorf("message IDs = %d, %d, %d; want 1, 2 in chat 42 and 1 in the group", first.ID, second.ID, other.ID)
	}
	if first.Text != "Sale & more" || first.Chat.ID != 42 || first.Chat.Type != "private" || !first.From.IsBot {
		t.Errorf("message = %+v", first)
	}
	if first.ReplyMarkup == nil || len(first.ReplyMarkup.InlineKeyboard[0]) != 2 {
		t.Errorf("reply markup = %+v, want the two buttons back", first.ReplyMarkup)
	}
	got := f.rec.To("telegram", "42")
	if len(got) != 2 || got[0].Content != "Sale & more [buttons: Yes|No]" || got[0].MessageID != "1" ||
		got[0].Token != tgToken || got[0].Method != "sendMessage" {
		t.Errorf("deliveries = %+v", got)
	}
	if sent := f.fake.Sent(42); len(sent) != 2 || sent[1].Text != "again" {
		t.Errorf("Sent(42) = %+v", sent)
	}
}

func TestTelegramErrorShapes(t *testing.T) {
	f := newTgFixture(t, "")
	f.fake.RemoveChats(99)
	long := strings.Repeat("x", 4097)
	tests := []struct {
		name, method string
		body         map[string]any
		status       int
		desc         string
	}{
		{"empty text", "sendMessage", map[string]any{"chat_id": 1, "text": "  "}, 400, "Bad Request: message text is empty"},
		{"too long", "sendMessage", map[string]any{"chat_id": 1, "text": long}, 400, "Bad Request: message is too long"},
		{"removed chat", "sendMessage", map[string]any{"chat_id": 99, "text": "hi"}, 400, "Bad Request: chat not found"},
		{"unknown username", "sendMessage", map[string]any{"chat_id": "@nobody", "text": "hi"}, 400, "Bad Request: chat not found"},
		{"bad HTML", "sendMessage", map[string]any{"chat_id": 1, "text": "<blink>x</blink>", "parse_mode": "HTML"}, 400,
			`Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`},
		{"unclosed HTML", "sendMessage", map[string]any{"chat_id": 1, "text": "<b>x", "parse_mode": "HTML"}, 400,
			`Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`},
		{"unescaped MarkdownV2", "sendMessage", map[string]any{"chat_id": 1, "text": "Sale ends 5.12!", "parse_mode": "MarkdownV2"}, 400,
			`Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\'`},
		{"long callback data", "sendMessage", map[string]any{"chat_id": 1, "text": "hi", "reply_markup": map[string]any{
			"inline_keyboard": [][]map[string]string{{{"text": "a", "callback_data": strings.Repeat("d", 65)}}}}}, 400,
			"Bad Request: BUTTON_DATA_INVALID"},
		{"edit missing message", "editMessageText", map[string]any{"chat_id": 1, "message_id": 7, "text": "x"}, 400,
			"Bad Request: message to edit not found"},
		{"unknown file", "getFile", map[string]any{"file_id": "nope"}, 400, "Bad Request: invalid file_id"},
		{"unknown callback", "answerCallbackQuery", map[string]any{"callback_query_id": "nope"}, 400,
			"Bad Request: query is too old and response timeout expired or query ID is invalid"},
		{"bad link preview options", "sendMessage", map[string]any{"chat_id": 1, "text": "hi", "link_preview_options": "{url"}, 400,
			"Bad Request: can't parse link preview options JSON object"},
		{"unknown method", "sendTelepathy", map[string]any{}, 404, "Not Found"},
		{"bad command", "setMyCommands", map[string]any{"commands": []map[string]string{{"command": "New", "description": "x"}}}, 400,
			"Bad Request: BOT_COMMAND_INVALID"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := f.call(t, tgToken, tc.method, tc.body)
			if status != tc.status || body["ok"] != false || body["error_code"] != float64(tc.status) || body["description"] != tc.desc {
				t.Errorf("got %d %v, want %d %q", status, body, tc.status, tc.desc)
			}
		})
	}
	if n := len(f.rec.Rejected("telegram")); n != len(tests) {
		t.Errorf("recorded %d rejections, want %d", n, len(tests))
	}
	if f.rec.Count("telegram") != 0 {
		t.Errorf("refused sends were recorded as deliveries")
	}
}

func TestTelegramRestrictedTokens(t *testing.T) {
	f := newTgFixture(t, "")
	f.fake.Tokens(tgToken)
	status, body := f.call(t, "999:other", "getMe", nil)
	if status != 401 || body["description"] != "Unauthorized" || body["error_code"] != float64(401) {
		t.Errorf("unknown token: %d %v", status, body)
	}
	if _, err := bot.New("999:other", bot.WithServerURL(f.url)); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("the SDK's start-up getMe with an unknown token: %v", err)
	}
	me, err := f.bot.GetMe(context.Background())
	if err != nil || me.ID != 123456 || !me.IsBot {
		t.Errorf("GetMe = %+v, %v; want the bot whose ID is the token's number", me, err)
	}
}

func TestTelegramFaultsAsTheSDKSeesThem(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	send := func(chat any) error {
		_, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: chat, Text: "hi"})
		return err
	}

	f.fake.Faults.SetRateLimit(1, 3*time.Second)
	if err := send(1); err != nil {
		t.Fatal(err)
	}
	var tooMany *bot.TooManyRequestsError
	if err := send(1); !errors.As(err, &tooMany) || tooMany.RetryAfter != 3 {
		t.Errorf("over the rate: %v, want TooManyRequestsError with RetryAfter 3", err)
	}
	f.fake.Faults.Reset()

	f.fake.Faults.Block("5", "-100200")
	if err := send(5); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "bot was blocked by the user") {
		t.Errorf("blocked user: %v", err)
	}
	if err := send(-100200); !errors.Is(err, bot.ErrorForbidden) || !strings.Contains(err.Error(), "kicked from the group") {
		t.Errorf("group that removed the bot: %v", err)
	}
	f.fake.Faults.Reset()

	f.fake.Faults.FailNext(1, http.StatusBadGateway)
	if err := send(1); err == nil || !strings.Contains(err.Error(), "502") {
		t.Errorf("injected 502: %v", err)
	}
	if err := send(1); err != nil {
		t.Errorf("after the failure: %v", err)
	}

	f.fake.Faults.SetLatency(500 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := f.bot.SendMessage(short, &bot.SendMessageParams{ChatID: 1, Text: "slow"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("with latency beyond the client's deadline: %v", err)
	}
	f.fake.Faults.Reset()

	if got := len(f.rec.To("telegram", "1")); got != 2 {
		t.Errorf("deliveries to chat 1 = %d, want 2 (faulted sends are not delivered)", got)
	}
	reasons := map[int]int{}
	for _, r := range f.rec.Rejected("telegram") {
		reasons[r.Status]++
	}
	if reasons[429] != 1 || reasons[403] != 2 || reasons[502] != 1 {
		t.Errorf("rejections by status = %v", reasons)
	}
}

func TestTelegramEditsAndDeletes(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	msg, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: -100555, Text: "Sending… 0%"})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(text string) error {
		_, err := f.bot.EditMessageText(ctx, &bot.EditMessageTextParams{ChatID: -100555, MessageID: msg.ID, Text: text})
		return err
	}
	if err := edit("Sending… 50%"); err != nil {
		t.Fatal(err)
	}
	if err := edit("Sending… 50%"); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message is not modified") {
		t.Errorf("identical edit: %v", err)
	}
	edited, err := f.bot.EditMessageReplyMarkup(ctx, &bot.EditMessageReplyMarkupParams{ChatID: -100555, MessageID: msg.ID,
		ReplyMarkup: keyboard([]models.InlineKeyboardButton{{Text: "Stop", CallbackData: "stop"}})})
	if err != nil || edited.EditDate == 0 || edited.Text != "Sending… 50%" {
		t.Fatalf("EditMessageReplyMarkup = %+v, %v", edited, err)
	}
	m, _ := f.fake.Message(-100555, msg.ID)
	if m.Edits != 2 || m.Text != "Sending… 50%" || !strings.Contains(m.ReplyMarkup, "stop") {
		t.Errorf("stored message = %+v", m)
	}
	if f.rec.Count("telegram") != 1 {
		t.Errorf("edits were recorded as deliveries")
	}
	if ok, err := f.bot.DeleteMessage(ctx, &bot.DeleteMessageParams{ChatID: -100555, MessageID: msg.ID}); err != nil || !ok {
		t.Errorf("DeleteMessage = %v, %v", ok, err)
	}
	if err := edit("gone"); !errors.Is(err, bot.ErrorBadRequest) || !strings.Contains(err.Error(), "message to edit not found") {
		t.Errorf("editing a deleted message: %v", err)
	}
}

func TestTelegramChatsMembersAndCommands(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	f.fake.AddChat(TelegramChat{ID: -100123, Type: "supergroup", Title: "Herald admins", Username: "herald_admins"})
	f.fake.SetChatMember(-100123, 9, "administrator")
	chat, err := f.bot.GetChat(ctx, &bot.GetChatParams{ChatID: "@herald_admins"})
	if err != nil || chat.ID != -100123 || chat.Title != "Herald admins" {
		t.Errorf("GetChat = %+v, %v", chat, err)
	}
	admin, err := f.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100123, UserID: 9})
	if err != nil || admin.Type != models.ChatMemberTypeAdministrator || admin.Administrator == nil || admin.Administrator.User.ID != 9 {
		t.Errorf("admin member = %+v, %v", admin, err)
	}
	other, err := f.bot.GetChatMember(ctx, &bot.GetChatMemberParams{ChatID: -100123, UserID: 10})
	if err != nil || other.Type != models.ChatMemberTypeMember {
		t.Errorf("unset member = %+v, %v", other, err)
	}
	cmds := []models.BotCommand{{Command: "new", Description: "新增推播"}, {Command: "list", Description: "列出推播"}}
	if ok, err := f.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds, LanguageCode: "zh"}); err != nil || !ok {
		t.Fatalf("SetMyCommands = %v, %v", ok, err)
	}
	got := f.fake.Commands(tgToken, "default", "zh")
	if len(got) != 2 || got[0].Command != "new" || got[1].Description != "列出推播" {
		t.Errorf("commands for zh = %+v", got)
	}
	if en := f.fake.Commands(tgToken, "default", ""); len(en) != 0 {
		t.Errorf("the default language got %+v", en)
	}
}

func TestTelegramFormAndQueryBodies(t *testing.T) {
	f := newTgFixture(t, "")
	form := url.Values{"chat_id": {"3"}, "text": {"from a form"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"Open","url":"https://example.com"}]]}`}}
	res, err := http.PostForm(f.url+"/bot"+tgToken+"/sendMessage", form)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res2, err := http.Get(f.url + "/bot" + tgToken + "/SENDMESSAGE?chat_id=3&text=from+a+query")
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	got := f.rec.To("telegram", "3")
	if res.StatusCode != 200 || res2.StatusCode != 200 || len(got) != 2 ||
		got[0].Content != "from a form [buttons: Open]" || got[1].Content != "from a query" {
		t.Errorf("statuses %d %d, deliveries %+v", res.StatusCode, res2.StatusCode, got)
	}
}

// Telegram draws a link preview from the first link of the text unless
// link_preview_options names another address or turns it off: the fake
// keeps the address it would have fetched.
func TestTelegramLinkPreviewIsTheFirstLinkOrTheOptionsURL(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	saleURL := "https://shop.example/sale"
	tests := []struct {
		name, text string
		opts       *models.LinkPreviewOptions
		want       string
	}{
		{"no link", "hello", nil, ""},
		{"address", "see https://a.example/x today", nil, "https://a.example/x"},
		{"text link before an address", `<a href="https://t.example/r/1">sale</a> or https://a.example/`, nil, "https://t.example/r/1"},
		{"address before a text link", `https://a.example/ or <a href="https://t.example/r/1">sale</a>`, nil, "https://a.example/"},
		{"address in code", "<code>https://a.example/</code> plain", nil, ""},
		{"options url", `<a href="https://t.example/r/1">sale</a>`, &models.LinkPreviewOptions{URL: &saleURL}, "https://shop.example/sale"},
		{"disabled", "https://a.example/", &models.LinkPreviewOptions{IsDisabled: bot.True()}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: 42, Text: tc.text, ParseMode: models.ParseModeHTML, LinkPreviewOptions: tc.opts})
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := f.fake.Message(42, m.ID); got.Preview != tc.want {
				t.Errorf("preview drawn from %q, want %q", got.Preview, tc.want)
			}
		})
	}
}
