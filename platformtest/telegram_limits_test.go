package platformtest

import (
	"context"
	"testing"
	"time"
)

// With its per-chat limits on, the fake refuses a second message within a
// second to a private chat and a 21st within a minute to a group, telling
// the bot when to retry, and takes them again once the window has passed.
func TestTelegramPerChatLimits(t *testing.T) {
	c := NewClock(time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC))
	rec := NewRecorder(c.Now)
	fake := NewTelegram(rec)
	f := tgFixture{served: serveFake(t, fake, rec, "")}
	fake.LimitChats(true)
	send := func(chat int64) (int, map[string]any) {
		return f.call(t, tgToken, "sendMessage", map[string]any{"chat_id": chat, "text": "hi"})
	}
	if code, _ := send(42); code != 200 {
		t.Fatalf("first message to a user: %d", code)
	}
	if code, body := send(42); code != 429 || body["parameters"].(map[string]any)["retry_after"] != 1.0 {
		t.Fatalf("second message within a second: %d %v, want 429 retry after 1", code, body)
	}
	for i := range 20 {
		if code, _ := send(-77); code != 200 {
			t.Fatalf("group message %d: %d", i+1, code)
		}
	}
	if code, _ := send(-77); code != 429 {
		t.Fatalf("21st group message within a minute: %d, want 429", code)
	}
	_ = c.Sleep(context.Background(), time.Minute)
	if code, _ := send(-77); code != 200 {
		t.Fatalf("group message a minute later: %d", code)
	}
	if code, _ := send(42); code != 200 {
		t.Fatalf("user message a minute later: %d", code)
	}
	if n := len(f.rec.Rejected("telegram")); n != 2 {
		t.Errorf("%d rejections recorded, want 2", n)
	}
}
