package platformtest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// speedConcurrency is how many requests are in flight at once, like the
// dispatcher's workers.
const speedConcurrency = 32

// speedTarget is one endpoint measured: a path on the shared server and a
// request maker (i numbers the request).
type speedTarget struct {
	name string
	req  func(base string, i int64) *http.Request
}

// BenchmarkSpeed measures, in one run with the same client and
// concurrency, the requests/s of a bare handler answering a constant and of
// each send endpoint of the LINE and Messenger fakes with the recorder on,
// and reports each fake's ratio to the bare handler (target ≥ 0.80):
//
//	go test -run '^$' -bench Speed -benchtime 20000x ./platformtest/
func BenchmarkSpeed(b *testing.B) {
	rec := NewRecorder(nil)
	line, msgr := NewLINE(rec), NewMessenger(rec)
	for i := range 1000 {
		msgr.Interacted(fmt.Sprintf("P%d", i), time.Now())
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"sentMessages":[{"id":"500000000000000001","quoteToken":"q1"}]}`)
	})
	mux := http.NewServeMux()
	mux.Handle("/bare/", http.StripPrefix("/bare", bare))
	mux.Handle("/line/", http.StripPrefix("/line", line))
	mux.Handle("/messenger/", http.StripPrefix("/messenger", msgr))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * speedConcurrency, MaxIdleConnsPerHost: 2 * speedConcurrency}}

	const text = "Our autumn sale starts tomorrow at 9:00: 20% off everything in the shop, see you there!"
	linePush := `{"to":"U%d","messages":[{"type":"text","text":"` + text + `"}],"notificationDisabled":false}`
	msgrSend := `{"recipient":{"id":"P%d"},"messaging_type":"UPDATE","message":{"text":"` + text + `"}}`
	lineReq := func(path string) func(string, int64) *http.Request {
		return func(base string, i int64) *http.Request {
			r, _ := http.NewRequest("POST", base+path, strings.NewReader(fmt.Sprintf(linePush, i%5000)))
			r.Header.Set("Authorization", "Bearer bench-token")
			r.Header.Set("Content-Type", "application/json; charset=UTF-8")
			r.Header.Set("X-Line-Retry-Key", fmt.Sprintf("%08x-0000-4000-8000-%012x", i>>16, i))
			return r
		}
	}
	msgrReq := func(path string) func(string, int64) *http.Request {
		return func(base string, i int64) *http.Request {
			r, _ := http.NewRequest("POST", base+path+"?access_token=bench-page", strings.NewReader(fmt.Sprintf(msgrSend, i%1000)))
			r.Header.Set("Content-Type", "application/json")
			return r
		}
	}
	targets := []speedTarget{
		{"bare", lineReq("/bare/v2/bot/message/push")},
		{"line_push", lineReq("/line/v2/bot/message/push")},
		{"bare", msgrReq("/bare/v21.0/me/messages")},
		{"messenger_send", msgrReq("/messenger/v21.0/me/messages")},
	}
	elapsed := make(map[string]time.Duration)
	var next atomic.Int64                                               // unique request numbers (retry keys) across rounds
	runSpeed(b, client, srv.URL, targets[0], 2*speedConcurrency, &next) // open the connections
	b.ResetTimer()
	// Rounds interleave the targets, in reverse order every other round, so
	// noise on the machine and the position in a round hit every target alike.
	const rounds = 8
	per := b.N/rounds + 1
	for round := range rounds {
		for k := range targets {
			if round%2 == 1 {
				k = len(targets) - 1 - k
			}
			elapsed[targets[k].name] += runSpeed(b, client, srv.URL, targets[k], per, &next)
		}
	}
	b.StopTimer()
	n := float64(rounds * per)
	rps := func(name string, share float64) float64 { return share * n / elapsed[name].Seconds() }
	bareRPS := rps("bare", 2) // bare ran for both request shapes
	b.ReportMetric(bareRPS, "bare_req/s")
	for _, name := range []string{"line_push", "messenger_send"} {
		b.ReportMetric(rps(name, 1), name+"_req/s")
		b.ReportMetric(rps(name, 1)/bareRPS, name+"_ratio")
	}
	if got := rec.Count(""); got != int(2*n) {
		b.Fatalf("recorded %d deliveries, want %d", got, int(2*n))
	}
	b.Logf("bare %.0f req/s; line push %.0f req/s (%.2f); messenger send %.0f req/s (%.2f); %d goroutines, %d requests each",
		bareRPS, rps("line_push", 1), rps("line_push", 1)/bareRPS, rps("messenger_send", 1), rps("messenger_send", 1)/bareRPS,
		speedConcurrency, int(n))
}

// runSpeed sends n requests to t from speedConcurrency goroutines and
// returns how long they took; any answer but 200 fails the benchmark.
func runSpeed(b *testing.B, client *http.Client, base string, t speedTarget, n int, next *atomic.Int64) time.Duration {
	var left atomic.Int64
	left.Store(int64(n))
	var wg sync.WaitGroup
	var failed atomic.Value
	start := time.Now()
	for range speedConcurrency {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				res, err := client.Do(t.req(base, next.Add(1)))
				if err != nil {
					failed.Store(err.Error())
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Store(fmt.Sprintf("%s answered %s", t.name, res.Status))
					return
				}
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if msg := failed.Load(); msg != nil {
		b.Fatal(msg)
	}
	return d
}
