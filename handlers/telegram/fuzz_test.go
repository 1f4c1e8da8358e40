package telegram

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/internal/storerig"
)

func FuzzWebhook(f *testing.F) {
	for _, u := range []obj{
		message(privateChat(1), user(1, "en"), "/start x"),
		membership(obj{"id": -1, "type": "group"}, user(1, "en"), "left", "restricted"),
		{"callback_query": obj{"id": "q", "from": user(1, "en"), "data": "hb1:B-7K2Q:b1", "message": obj{"date": 0, "chat": privateChat(1)}}},
		{"message": obj{"chat": obj{"id": 0, "type": "private"}, "text": "/start"}},
	} {
		b, _ := json.Marshal(u)
		f.Add(b)
	}
	in := inbound.New(storerig.Open(f), inbound.Options{FollowupQueue: 1})
	h, err := New(Options{Token: token, APIURL: "http://127.0.0.1:1", Inbox: in, WebhookSecret: "s",
		HTTPClient: &http.Client{Timeout: time.Millisecond}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhooks/telegram", bytes.NewReader(body))
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", "s")
		w := httptest.NewRecorder()
		h.WebhookHandler().ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("update answered %d", w.Code)
		}
	})
}
