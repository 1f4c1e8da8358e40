package platformtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkSpeedTelegramSlack is BenchmarkSpeed for the Telegram and Slack
// fakes: requests/s of sendMessage and chat.postMessage, recorder on,
// against a bare handler answering a constant, with the same client and
// concurrency, interleaved in one run (target ratio ≥ 0.80):
//
//	go test -run '^$' -bench SpeedTelegramSlack -benchtime 20000x ./platformtest/
func BenchmarkSpeedTelegramSlack(b *testing.B) {
	rec := NewRecorder(nil)
	tg, sl := NewTelegram(rec), NewSlack(rec)
	defer tg.Close()
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":1,"chat":{"id":1,"type":"private"},"date":1700000000,"text":"x"}}`)
	})
	mux := http.NewServeMux()
	mux.Handle("/bare/", http.StripPrefix("/bare", bare))
	mux.Handle("/telegram/", http.StripPrefix("/telegram", tg))
	mux.Handle("/slack/", http.StripPrefix("/slack", sl))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * speedConcurrency, MaxIdleConnsPerHost: 2 * speedConcurrency}}

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
	targets := []speedTarget{
		{"bare", tgReq("/bare/bot1:bench/sendMessage")},
		{"telegram_send", tgReq("/telegram/bot1:bench/sendMessage")},
		{"bare", slReq("/bare/api/chat.postMessage")},
		{"slack_post", slReq("/slack/api/chat.postMessage")},
	}
	elapsed := make(map[string]time.Duration)
	var next atomic.Int64
	b.ResetTimer()
	// Many short interleaved rounds so that bursts of other work on the
	// machine hit every target alike.
	const rounds = 20
	for range rounds {
		for _, t := range targets {
			elapsed[t.name] += runSpeed(b, client, srv.URL, t, b.N/rounds+1, &next)
		}
	}
	b.StopTimer()
	n := float64(rounds * (b.N/rounds + 1))
	rps := func(name string, share float64) float64 { return share * n / elapsed[name].Seconds() }
	bareRPS := rps("bare", 2)
	b.ReportMetric(bareRPS, "bare_req/s")
	for _, name := range []string{"telegram_send", "slack_post"} {
		b.ReportMetric(rps(name, 1), name+"_req/s")
		b.ReportMetric(rps(name, 1)/bareRPS, name+"_ratio")
	}
	if got := rec.Count(""); got != int(2*n) {
		b.Fatalf("recorded %d deliveries (telegram %d, slack %d), want %d", got, rec.Count("telegram"), rec.Count("slack"), int(2*n))
	}
}
