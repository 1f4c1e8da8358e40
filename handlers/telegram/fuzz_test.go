package telegram

import (
	"encoding/json"
	"testing"

	"github.com/heraldbot/herald/handlers/internal/inboundrig"
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
	h, err := New(Options{Token: token, APIURL: "http://127.0.0.1:1", Endpoint: inboundrig.FuzzEndpoint(f), WebhookSecret: "s"})
	if err != nil {
		f.Fatal(err)
	}
	// Telegram signs nothing: the secret token is the same on every request.
	inboundrig.FuzzWebhook(f, h.WebhookHandler(), "X-Telegram-Bot-Api-Secret-Token", func([]byte) string { return "s" })
}
