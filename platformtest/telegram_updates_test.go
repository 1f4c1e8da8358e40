package platformtest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestTelegramGetUpdatesConfirmsByOffset(t *testing.T) {
	f := newTgFixture(t, "")
	for _, text := range []string{"a", "b", "c"} {
		f.push(t, map[string]any{"message": map[string]any{"message_id": 1, "date": 1,
			"chat": map[string]any{"id": 7, "type": "private"}, "text": text}})
	}
	ids := func(body map[string]any) []float64 {
		var out []float64
		for _, u := range body["result"].([]any) {
			out = append(out, u.(map[string]any)["update_id"].(float64))
		}
		return out
	}
	_, body := f.call(t, tgToken, "getUpdates", map[string]any{"limit": 2})
	if got := ids(body); len(got) != 2 || got[0] != 1 || got[1] != 2 {
		t.Errorf("limit 2: %v", got)
	}
	_, body = f.call(t, tgToken, "getUpdates", map[string]any{"offset": 2})
	if got := ids(body); len(got) != 2 || got[0] != 2 {
		t.Errorf("offset 2 (confirms 1): %v", got)
	}
	_, body = f.call(t, tgToken, "getUpdates", map[string]any{"offset": -1})
	if got := ids(body); len(got) != 1 || got[0] != 3 {
		t.Errorf("offset -1: %v", got)
	}
	if n := f.fake.Pending(tgToken); n != 1 {
		t.Errorf("pending = %d, want 1 after offset -1 forgot the rest", n)
	}
	if n := f.fake.Pending("777:other-bot"); n != 0 {
		t.Errorf("another bot's queue has %d updates", n)
	}
}

func TestTelegramLongPollReturnsWhenAnUpdateArrives(t *testing.T) {
	f := newTgFixture(t, "")
	got := make(chan []float64, 1)
	go func() {
		_, body := f.call(t, tgToken, "getUpdates", map[string]any{"timeout": 50})
		var ids []float64
		for _, u := range body["result"].([]any) {
			ids = append(ids, u.(map[string]any)["update_id"].(float64))
		}
		got <- ids
	}()
	f.push(t, map[string]any{"update_id": 500, "message": map[string]any{"message_id": 1}})
	select {
	case ids := <-got:
		if len(ids) != 1 || ids[0] != 500 {
			t.Errorf("poll got %v, want the pushed update 500", ids)
		}
	case <-time.After(20 * time.Second): // far below the poll's 50 s timeout
		t.Fatal("the long poll did not return when an update was pushed")
	}
	if id := f.push(t, map[string]any{"message": map[string]any{}}); id != 501 {
		t.Errorf("next assigned update_id = %d, want 501", id)
	}
}

func TestTelegramNewerPollTerminatesTheOlder(t *testing.T) {
	f := newTgFixture(t, "")
	first := make(chan map[string]any, 1)
	go func() {
		_, body := f.call(t, tgToken, "getUpdates", map[string]any{"timeout": 50})
		first <- body
	}()
	for { // wait until the first poll is parked in the fake
		f.fake.mu.Lock()
		gen := f.fake.bot(tgToken).pollGen
		f.fake.mu.Unlock()
		if gen == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if status, _ := f.call(t, tgToken, "getUpdates", map[string]any{}); status != 200 {
		t.Errorf("second poll: %d", status)
	}
	body := <-first
	if body["error_code"] != float64(409) || !strings.HasPrefix(body["description"].(string), "Conflict: terminated by other getUpdates request") {
		t.Errorf("first poll: %v", body)
	}
}

func TestTelegramSDKLongPollingHandlesPushedUpdates(t *testing.T) {
	f := newTgFixture(t, "")
	updates := make(chan *models.Update, 4)
	b, err := bot.New(tgToken, bot.WithServerURL(f.url), bot.WithSkipGetMe(),
		bot.WithHTTPClient(3*time.Second, &http.Client{Timeout: 10 * time.Second}),
		bot.WithDefaultHandler(func(ctx context.Context, b *bot.Bot, u *models.Update) {
			if u.CallbackQuery != nil {
				_, _ = b.AnswerCallbackQuery(ctx, &bot.AnswerCallbackQueryParams{CallbackQueryID: u.CallbackQuery.ID, Text: "Saved"})
			}
			updates <- u
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.Start(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	f.push(t, json.RawMessage(`{"message":{"message_id":5,"date":1700000000,
		"chat":{"id":-100123,"type":"supergroup","title":"Admins"},"from":{"id":9,"is_bot":false,"first_name":"Ann"},
		"text":"/new"}}`))
	f.push(t, json.RawMessage(`{"callback_query":{"id":"cq1","chat_instance":"1",
		"from":{"id":9,"is_bot":false,"first_name":"Ann"},"data":"confirm"}}`))
	var seen []string
	for len(seen) < 2 {
		select {
		case u := <-updates:
			switch {
			case u.Message != nil:
				seen = append(seen, "message:"+u.Message.Text)
			case u.CallbackQuery != nil:
				seen = append(seen, "callback:"+u.CallbackQuery.Data)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("the SDK handler got only %v", seen)
		}
	}
	if strings.Join(seen, ",") != "message:/new,callback:confirm" && strings.Join(seen, ",") != "callback:confirm,message:/new" {
		t.Errorf("handled %v", seen)
	}
	cancel()
	<-done
	answers := f.fake.CallbackAnswers()
	if len(answers) != 1 || answers[0].CallbackQueryID != "cq1" || answers[0].Text != "Saved" {
		t.Errorf("callback answers = %+v", answers)
	}
}

func TestTelegramWebhookReceivesPushedUpdates(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	received := make(chan string, 4)
	healthy := true
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		received <- r.Header.Get("X-Telegram-Bot-Api-Secret-Token") + " " + string(body)
		if !healthy {
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer hook.Close()

	if ok, err := f.bot.SetWebhook(ctx, &bot.SetWebhookParams{URL: hook.URL, SecretToken: "s3cret"}); err != nil || !ok {
		t.Fatalf("SetWebhook = %v, %v", ok, err)
	}
	f.push(t, map[string]any{"message": map[string]any{"text": "hi"}})
	if got := <-received; !strings.HasPrefix(got, "s3cret {") || !strings.Contains(got, `"update_id":1`) {
		t.Errorf("webhook got %q", got)
	}
	if status, body := f.call(t, tgToken, "getUpdates", nil); status != 409 ||
		!strings.HasPrefix(body["description"].(string), "Conflict: can't use getUpdates method while webhook is active") {
		t.Errorf("getUpdates with a webhook set: %d %v, want a conflict", status, body)
	}
	healthy = false
	f.push(t, map[string]any{"message": map[string]any{"text": "lost?"}})
	<-received
	info, err := f.bot.GetWebhookInfo(ctx)
	if err != nil || info.URL != hook.URL || info.PendingUpdateCount != 1 || !strings.Contains(info.LastErrorMessage, "500") {
		t.Errorf("webhook info = %+v, %v", info, err)
	}
	if ok, err := f.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil || !ok {
		t.Errorf("DeleteWebhook = %v, %v", ok, err)
	}
	_, body := f.call(t, tgToken, "getUpdates", nil)
	if ups, _ := body["result"].([]any); len(ups) != 1 || !strings.Contains(fmtJSON(ups[0]), "lost?") {
		t.Errorf("after deleteWebhook the failed update is polled: %v", body)
	}
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestTelegramResetForgetsTrafficButKeepsSetup(t *testing.T) {
	f := newTgFixture(t, "")
	f.fake.AddChat(TelegramChat{ID: -1009, Type: "supergroup", Title: "Ops", Username: "ops"})
	f.push(t, map[string]any{"message": map[string]any{"text": "queued"}})
	if _, err := f.bot.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: "@ops", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	parked := make(chan map[string]any, 1)
	go func() {
		_, body := f.call(t, "55:parked", "getUpdates", map[string]any{"timeout": 50})
		parked <- body
	}()
	for { // wait until the poll is parked in the fake
		f.fake.mu.Lock()
		b := f.fake.bots["55:parked"]
		gen := 0
		if b != nil {
			gen = b.pollGen
		}
		f.fake.mu.Unlock()
		if gen == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	f.fake.Faults.Block("1")
	f.fake.Reset()
	if body := <-parked; body["ok"] != true || len(body["result"].([]any)) != 0 {
		t.Errorf("parked poll after Reset: %v", body)
	}
	if n, sent := f.fake.Pending(tgToken), f.fake.Sent(-1009); n != 0 || len(sent) != 0 {
		t.Errorf("after Reset: %d pending updates, sent %+v", n, sent)
	}
	msg, err := f.bot.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: "@ops", Text: "again"})
	if err != nil || msg.ID != 1 || msg.Chat.Title != "Ops" {
		t.Errorf("after Reset the chat is still known and numbering restarts: %+v, %v", msg, err)
	}
	if _, err := f.bot.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 1, Text: "x"}); err != nil {
		t.Errorf("Reset left a fault on: %v", err)
	}
}

// push queues an update for the fixture's bot.
func (f tgFixture) push(t *testing.T, update any) int64 {
	t.Helper()
	id, err := f.fake.PushUpdate(tgToken, update)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTelegramPushUpdateRefusesNonObjects(t *testing.T) {
	f := newTgFixture(t, "")
	for _, bad := range []any{json.RawMessage(`"text"`), json.RawMessage(`null`), []int{1}, func() {}} {
		if _, err := f.fake.PushUpdate(tgToken, bad); err == nil {
			t.Errorf("PushUpdate(%T) accepted it", bad)
		}
	}
	if n := f.fake.Pending(tgToken); n != 0 {
		t.Errorf("%d bad updates were queued", n)
	}
}
