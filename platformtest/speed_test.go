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
	n, rps := speedRace(b, `{"sentMessages":[{"id":"500000000000000001","quoteToken":"q1"}]}`,
		map[string]http.Handler{"line": line, "messenger": msgr}, []speedTarget{
			{"bare", lineReq("/bare/v2/bot/message/push")},
			{"line_push", lineReq("/line/v2/bot/message/push")},
			{"bare", msgrReq("/bare/v21.0/me/messages")},
			{"messenger_send", msgrReq("/messenger/v21.0/me/messages")},
		})
	if got := rec.Count(""); got != 2*n {
		b.Fatalf("recorded %d deliveries, want %d", got, 2*n)
	}
	bare := rps["bare"]
	b.Logf("bare %.0f req/s; line push %.0f req/s (%.2f); messenger send %.0f req/s (%.2f); %d goroutines, %d requests each",
		bare, rps["line_push"], rps["line_push"]/bare, rps["messenger_send"], rps["messenger_send"]/bare, speedConcurrency, n)
}

// speedRace serves a bare handler answering bareAnswer under /bare/ and
// each fake under /<mount>/ on one server, sends each target's requests
// from one client with speedConcurrency in flight, and reports every fake
// target's requests/s and its ratio to bare's (target ≥ 0.80). Targets
// may share a name (bare, once per request shape): their times add up. It
// returns how many requests each target sent and the requests/s by name.
func speedRace(b *testing.B, bareAnswer string, fakes map[string]http.Handler, targets []speedTarget) (int, map[string]float64) {
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, bareAnswer)
	})
	mux := http.NewServeMux()
	mux.Handle("/bare/", http.StripPrefix("/bare", bare))
	for mount, h := range fakes {
		mux.Handle("/"+mount+"/", http.StripPrefix("/"+mount, h))
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * speedConcurrency, MaxIdleConnsPerHost: 2 * speedConcurrency}}

	elapsed, runs := make(map[string]time.Duration), make(map[string]int)
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
	n := rounds * per
	rps := make(map[string]float64, len(elapsed))
	for _, t := range targets {
		runs[t.name]++
	}
	for name, d := range elapsed {
		rps[name] = float64(runs[name]*n) / d.Seconds()
	}
	b.ReportMetric(rps["bare"], "bare_req/s")
	for _, t := range targets {
		if t.name != "bare" {
			b.ReportMetric(rps[t.name], t.name+"_req/s")
			b.ReportMetric(rps[t.name]/rps["bare"], t.name+"_ratio")
		}
	}
	return n, rps
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
