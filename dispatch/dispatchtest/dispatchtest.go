// Package dispatchtest is the rig that tests of the engine share outside
// package dispatch (the senders' packages, the broadcast service): a real
// store on a test clock, LINE users in it, and an engine that is shut down
// when the test ends.
package dispatchtest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// Open opens a real database in the test's temporary folder, on a test
// clock set to Monday 2026-11-23 09:00 UTC; the store is closed when the
// test ends, after whatever the test registers later.
func Open(t testing.TB) (*platformtest.Clock, *storage.Store) {
	t.Helper()
	c := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st, err := storage.Open(filepath.Join(t.TempDir(), "herald.db"), storage.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return c, st
}

// Sender serves the platform fake newFake makes, recording into rec, over
// loopback until t ends (closing the fake too, when it can be), and
// returns it with the sender newSender builds against it (its base URL
// and the client that reaches it).
func Sender[F http.Handler, S any](t testing.TB, rec *platformtest.Recorder, newFake func(*platformtest.Recorder) F,
	newSender func(baseURL string, client *http.Client) (S, error)) (S, F) {
	t.Helper()
	fake := newFake(rec)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	if c, ok := any(fake).(interface{ Close() }); ok {
		t.Cleanup(c.Close)
	}
	s, err := newSender(srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return s, fake
}

// Engine builds an engine on st that is shut down (given ten seconds to
// drain) when the test ends, before the fakes and the store registered
// earlier are closed.
func Engine(t testing.TB, st dispatch.Store, senders map[herald.Platform]dispatch.Sender, opts dispatch.Options) *dispatch.Engine {
	eng := dispatch.New(st, senders, opts)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = eng.Shutdown(ctx)
	})
	return eng
}

// LINEUsers stores n subscribed LINE users and returns them; user i's ID
// is "U" and i in 32 digits, shaped like the IDs LINE gives.
func LINEUsers(t testing.TB, st *storage.Store, n int) []herald.Subscriber {
	t.Helper()
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprintf("U%032d", i), Kind: herald.KindUser, State: herald.Subscribed}
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	return subs
}

// Scrape is what Prometheus reads from a /metrics handler (metrics.Metrics'
// Handler): each series' value by its name and labels, as written there
// (`herald_queue_depth{account="main",channel="line"}`).
func Scrape(t testing.TB, metrics http.Handler) map[string]float64 {
	t.Helper()
	rec := httptest.NewRecorder()
	metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /metrics: %d", rec.Code)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		series, value, ok := strings.Cut(sc.Text(), " ")
		if v, err := strconv.ParseFloat(value, 64); ok && err == nil && !strings.HasPrefix(series, "#") {
			out[series] = v
		}
	}
	return out
}
