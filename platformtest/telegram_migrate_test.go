package platformtest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestTelegramMigratedGroupAnswersLikeTheBotAPI(t *testing.T) {
	f := newTgFixture(t, "")
	ctx := context.Background()
	f.fake.AddChat(TelegramChat{ID: -4001, Type: "group", Title: "Hiking club"})
	f.fake.MigrateGroup(-4001, -1004001)

	// The raw answer: 400 with ResponseParameters.migrate_to_chat_id.
	status, body := f.call(t, tgToken, "sendMessage", map[string]any{"chat_id": -4001, "text": "hi"})
	params, _ := body["parameters"].(map[string]any)
	if status != 400 || body["ok"] != false || body["error_code"] != float64(400) ||
		body["description"] != "Bad Request: group chat was upgraded to a supergroup chat" ||
		params["migrate_to_chat_id"] != float64(-1004001) {
		t.Errorf("send to the old group: %d %v", status, body)
	}
	// The SDK turns it into its MigrateError.
	_, err := f.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: int64(-4001), Photo: &models.InputFileString{Data: "https://img.example/a.jpg"}})
	var mig *bot.MigrateError
	if !errors.As(err, &mig) || mig.MigrateToChatID != -1004001 {
		t.Fatalf("SDK error = %v, want a MigrateError to -1004001", err)
	}
	// The supergroup takes messages and describes itself.
	if _, err := f.bot.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(-1004001), Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	chat, err := f.bot.GetChat(ctx, &bot.GetChatParams{ChatID: int64(-1004001)})
	if err != nil || chat.Type != models.ChatTypeSupergroup || chat.Title != "Hiking club" {
		t.Errorf("getChat(new) = %+v, %v", chat, err)
	}
	if got := len(f.fake.Sent(-4001)) + len(f.fake.Sent(-1004001)); got != 1 {
		t.Errorf("%d messages stored, want 1 (in the supergroup)", got)
	}
}

func TestTelegramMigrationUpdatesDecode(t *testing.T) {
	f := newTgFixture(t, "")
	f.fake.AddChat(TelegramChat{ID: -4001, Type: "group", Title: "Hiking club"})
	for _, u := range f.fake.MigrationUpdates(-4001, -1004001, 77) {
		if _, err := f.fake.PushUpdate(tgToken, u); err != nil {
			t.Fatal(err)
		}
	}
	var upds []*models.Update
	status, body := f.call(t, tgToken, "getUpdates", map[string]any{"timeout": 0})
	if status != 200 {
		t.Fatalf("getUpdates: %d %v", status, body)
	}
	raw, _ := json.Marshal(body["result"])
	if err := json.Unmarshal(raw, &upds); err != nil || len(upds) != 2 {
		t.Fatalf("updates: %v (%d)", err, len(upds))
	}
	old, sup := upds[0].Message, upds[1].Message
	if old.Chat.ID != -4001 || old.Chat.Type != models.ChatTypeGroup || old.MigrateToChatID != -1004001 ||
		sup.Chat.ID != -1004001 || sup.Chat.Type != models.ChatTypeSupergroup || sup.MigrateFromChatID != -4001 ||
		sup.Chat.Title != "Hiking club" || old.From == nil || old.From.ID != 77 {
		t.Errorf("migration updates = %+v / %+v", old, sup)
	}
}
