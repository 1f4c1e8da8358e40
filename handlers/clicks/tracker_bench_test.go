package clicks_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkClickBurst is a viral burst: many people open tracked links at
// once, over real HTTP, each click written to a real bbolt file (the
// clock stops after the last click is durable). It reports clicks/s; the
// issue asks for 10,000.
func BenchmarkClickBurst(b *testing.B) {
	r := newRig(b)
	tr := &http.Transport{MaxIdleConnsPerHost: 256}
	client := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	var seq atomic.Uint32
	b.SetParallelism(32)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			res, err := client.Get(r.tr.Link(r.bid, seq.Add(1), 0))
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, res.Body) // so the connection is reused
			_ = res.Body.Close()
			if res.StatusCode != http.StatusFound {
				b.Errorf("status %d", res.StatusCode)
				return
			}
		}
	})
	reportClicks(b, r, start, int(seq.Load()))
}

// BenchmarkClickRecord is the server's side of a click alone: the token
// checked, the redirect answered and the click written to bbolt (the
// clock stops when the last one is durable), without the HTTP client and
// the loopback sockets BenchmarkClickBurst also pays for on the same
// cores.
func BenchmarkClickRecord(b *testing.B) {
	r := newRig(b)
	var seq atomic.Uint32
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest(http.MethodGet, r.tr.Link(r.bid, seq.Add(1), 0), nil)
			req.SetPathValue("token", path.Base(req.URL.Path))
			w := httptest.NewRecorder()
			r.tr.ServeHTTP(w, req)
			if w.Code != http.StatusFound {
				b.Errorf("status %d", w.Code)
				return
			}
		}
	})
	reportClicks(b, r, start, int(seq.Load()))
}

// reportClicks waits until every click is durable, reports clicks/s since
// start, and checks that each of the n recipients was counted once.
func reportClicks(b *testing.B, r *rig, start time.Time, n int) {
	r.tr.Sync()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "clicks/s")
	b.StopTimer()
	got, err := r.store.Clicks(r.bid)
	if err != nil || len(got) != 1 || got[0].Unique != n {
		b.Fatalf("clicks = %+v, %v; want %d unique", got, err, n)
	}
}
