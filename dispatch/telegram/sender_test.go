package telegram

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/platformtest"
)

const token = "123456:TEST-token"

func setup(t *testing.T) (*Sender, *platformtest.Telegram, *platformtest.Recorder) {
	t.Helper()
	rec := platformtest.NewRecorder(nil)
	s, fake := dispatchtest.Sender(t, rec, platformtest.NewTelegram, func(url string, c *http.Client) (*Sender, error) {
		return New(Config{Token: token, BaseURL: url, Client: c})
	})
	return s, fake, rec
}

func msg(chat string, kind herald.SubscriberKind, c herald.Content) *dispatch.Message {
	return &dispatch.Message{BroadcastID: "B-7K2Q", Content: c,
		To: []dispatch.Recipient{{Seq: 1, Key: herald.SubscriberKey{Platform: herald.Telegram, ID: chat}, Kind: kind}}}
}

var buttons = []herald.Button{
	{ID: "site", Label: "Open", Kind: herald.URLButton, URL: "https://example.com/x"},
	{ID: "yes", Label: "I'm in", Kind: herald.ActionButton},
}

func TestSendsEachContentKind(t *testing.T) {
	s, fake, _ := setup(t)
	ctx := context.Background()
	cases := []struct {
		name, chat string
		content    herald.Content
		// what the user sees, message by message
		texts    []string
		photos   int
		keyboard bool
	}{
		{"text with buttons", "101", herald.Content{Kind: herald.TextContent, Text: "Sale <today> & tomorrow", Buttons: buttons},
			[]string{"Sale <today> & tomorrow"}, 0, true},
		{"one picture with caption", "102", herald.Content{Kind: herald.ImageContent, Text: "Look",
			Images: []herald.Image{{URL: "https://img.example/a.jpg"}}}, []string{"Look"}, 1, false},
		{"album with buttons", "103", herald.Content{Kind: herald.ImageContent, Text: "Two",
			Images: []herald.Image{{URL: "https://img.example/a.jpg"}, {URL: "https://img.example/b.jpg"}}, Buttons: buttons},
			[]string{"Two", "", "👇"}, 2, true},
		{"card", "104", herald.Content{Kind: herald.CardContent, Title: "New menu", Text: "Try it",
			Images: []herald.Image{{URL: "https://img.example/c.jpg"}}, Buttons: buttons},
			[]string{"New menu\n\nTry it"}, 1, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, err := s.Send(ctx, msg(tc.chat, herald.KindUser, tc.content))
			if err != nil || id == "" {
				t.Fatalf("Send = %q, %v", id, err)
			}
			sent := fake.Sent(mustInt(tc.chat))
			var texts []string
			photos, kb := 0, false
			for _, m := range sent {
				texts = append(texts, m.Text)
				if m.Photo != "" {
					photos++
				}
				if m.ReplyMarkup != "" {
					kb = true
					if !strings.Contains(m.ReplyMarkup, "https://example.com/x") || !strings.Contains(m.ReplyMarkup, "hb1:B-7K2Q:yes") {
						t.Errorf("keyboard %s lacks the link or the postback", m.ReplyMarkup)
					}
				}
			}
			if strings.Join(texts, "|") != strings.Join(tc.texts, "|") || photos != tc.photos || kb != tc.keyboard {
				t.Errorf("got texts %q photos %d keyboard %v; want %q %d %v", texts, photos, kb, tc.texts, tc.photos, tc.keyboard)
			}
		})
	}
}

func TestTranslatesPlatformErrors(t *testing.T) {
	s, fake, _ := setup(t)
	ctx := context.Background()
	text := herald.Content{Kind: herald.TextContent, Text: "hi"}

	fake.Faults.Block("201")
	_, err := s.Send(ctx, msg("201", herald.KindUser, text))
	if !errors.Is(err, herald.ErrRecipientGone) {
		t.Errorf("blocked user: %v, want ErrRecipientGone", err)
	}

	fake.Faults.SetRateLimit(1, 3*time.Second)
	_, _ = s.Send(ctx, msg("202", herald.KindUser, text))
	_, err = s.Send(ctx, msg("203", herald.KindUser, text))
	var ra *herald.RetryAfterError
	if !errors.As(err, &ra) || ra.After != 3*time.Second {
		t.Errorf("rate limited: %v, want RetryAfterError of 3s", err)
	}
	fake.Faults.SetRateLimit(0, 0)

	fake.Faults.FailNext(1, 502)
	_, err = s.Send(ctx, msg("204", herald.KindUser, text))
	var tmp *herald.TemporaryError
	if !errors.As(err, &tmp) || strings.Contains(err.Error(), token) {
		t.Errorf("5xx: %v, want a TemporaryError without the token", err)
	}

	_, err = s.Send(ctx, msg("205", herald.KindUser, herald.Content{Kind: herald.TextContent, Text: strings.Repeat("x", 5000)}))
	if err == nil || errors.As(err, &tmp) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("too long: %v, want a permanent error with Telegram's reason", err)
	}

	down, err := New(Config{Token: token, BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = down.Send(ctx, msg("206", herald.KindUser, text))
	if !errors.As(err, &tmp) || strings.Contains(err.Error(), token) {
		t.Errorf("no answer: %v, want a TemporaryError without the token", err)
	}
}

func mustInt(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// Without a Mover (a sender used on its own) a migrated group still gets
// the message, at its new ID.
func TestMigratedGroupWithoutAMoverIsSentToTheNewID(t *testing.T) {
	s, fake, _ := setup(t)
	fake.MigrateGroup(-4001, -1004001)
	id, err := s.Send(context.Background(), msg("-4001", herald.KindGroup, herald.Content{Kind: herald.TextContent, Text: "hi"}))
	if err != nil || id == "" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	if got := fake.Sent(-1004001); len(got) != 1 || got[0].Text != "hi" {
		t.Errorf("the supergroup received %+v, want the message once", got)
	}
}

// A success is read without the decoder only in the Bot API's own shape;
// anything else goes to the decoder, which reports refusals.
func TestSentIDReadsOnlyTheBotAPIsSuccess(t *testing.T) {
	cases := []struct {
		raw, id string
		ok      bool
	}{
		{`{"ok":true,"result":{"message_id":42,"chat":{"id":1}}}`, "42", true},
		{`{"ok":true,"result":{"message_id":7}}`, "7", true},
		{`{"ok":false,"error_code":403,"description":"Forbidden"}`, "", false},
		{`{"ok":true,"result":{"message_id":"x"}}`, "", false},
		{`{"ok":true,"result":{"message_id":12`, "", false},
		{`{"ok": true, "result": {"message_id": 5}}`, "", false},
	}
	for _, c := range cases {
		if id, ok := sentID([]byte(c.raw)); id != c.id || ok != c.ok {
			t.Errorf("sentID(%s) = %q, %v; want %q, %v", c.raw, id, ok, c.id, c.ok)
		}
	}
}
