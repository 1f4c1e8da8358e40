package platformtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// BenchmarkSpeedTelegramSlack is BenchmarkSpeed for the Telegram and Slack
// fakes: requests/s of sendMessage and chat.postMessage, recorder on,
// against a bare handler answering a constant (speedRace; target ratio
// ≥ 0.80):
//
//	go test -run '^$' -bench SpeedTelegramSlack -benchtime 20000x ./platformtest/
func BenchmarkSpeedTelegramSlack(b *testing.B) {
	rec := NewRecorder(nil)
	tg, sl := NewTelegram(rec), NewSlack(rec)
	defer tg.Close()
	const text = "Our autumn sale starts tomorrow at 9:00: 20% off everything in the shop, see you there!"
	tgSend := `{"chat_id":%d,"text":"` + text + `","reply_markup":{"inline_keyboard":[[{"text":"Shop","url":"https://example.com"}]]}}`
	tgReq := func(path string) func(string, int64) *http.Request {
		return func(base string, i int64) *http.Request {
			r, _ := http.NewRequest("POST", base+path, strings.NewReader(fmt.Sprintf(tgSend, 1+i%5000)))
			r.Header.Set("Content-Type", "application/json")
			return r
		}
	}
	slReq := func(path string) func(string, int64) *http.Request {
		return func(base string, i int64) *http.Request {
			form := url.Values{"channel": {"C" + fmt.Sprint(i%50)}, "text": {text}}.Encode()
			r, _ := http.NewRequest("POST", base+path, strings.NewReader(form))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Header.Set("Authorization", "Bearer xoxb-bench")
			return r
		}
	}
	n, _ := speedRace(b, `{"ok":true,"result":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1700000000,"text":"x"}}`,
		map[string]http.Handler{"telegram": tg, "slack": sl}, []speedTarget{
			{"bare", tgReq("/bare/bot1:bench/sendMessage")},
			{"telegram_send", tgReq("/telegram/bot1:bench/sendMessage")},
			{"bare", slReq("/bare/api/chat.postMessage")},
			{"slack_post", slReq("/slack/api/chat.postMessage")},
		})
	if got := rec.Count(""); got != 2*n {
		b.Fatalf("recorded %d deliveries (telegram %d, slack %d), want %d", got, rec.Count("telegram"), rec.Count("slack"), 2*n)
	}
}
