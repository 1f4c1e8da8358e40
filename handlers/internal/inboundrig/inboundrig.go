// Package inboundrig wires the end-user webhooks' tests (LINE, Messenger,
// Telegram) the way the bot does: a real bbolt store in a temp dir and an
// inbound.Inbox over it counting into fresh metrics, plus the requests and
// checks those tests share.
package inboundrig

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"github.com/heraldbot/herald/metrics"
	"github.com/heraldbot/herald/storage"

	"github.com/heraldbot/herald/platformtest"
)

// Rig is what a webhook handler under test records into.
type Rig struct {
	Store   *storage.Store
	Inbox   *inbound.Inbox
	Metrics *metrics.Metrics
}

// New opens a store in t.TempDir() and an Inbox over it.
func New(t testing.TB) Rig {
	t.Helper()
	store := storerig.Open(t)
	m := metrics.New()
	return Rig{Store: store, Inbox: inbound.New(store, inbound.Options{Metrics: m}), Metrics: m}
}

// Settle closes the Inbox, which waits for the follow-ups it queued
// (profile fetches, confirmations): check those only after it.
func (r Rig) Settle(t testing.TB) {
	t.Helper()
	if err := r.Inbox.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Subscriber returns a stored subscriber, failing the test when there is
// none.
func (r Rig) Subscriber(t testing.TB, key herald.SubscriberKey) herald.Subscriber {
	t.Helper()
	sub, err := r.Store.Subscriber(key)
	if err != nil {
		t.Fatalf("subscriber %s: %v", key.ID, err)
	}
	return sub
}

// Scrape returns the metrics page as Prometheus would read it.
func (r Rig) Scrape(t testing.TB) string {
	t.Helper()
	w := httptest.NewRecorder()
	r.Metrics.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	return w.Body.String()
}

// Serve runs h (a webhook under test, or the platform fake it calls) over
// loopback HTTP until t ends and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Post delivers body to the webhook at url as the platform would, with
// the signature header set to signature unless it is empty, and returns
// the status code.
func Post(t testing.TB, url string, body []byte, header, signature string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if signature != "" {
		req.Header.Set(header, signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// FuzzInbox is the Inbox a webhook's fuzz target records into: a real
// store and a single follow-up slot, so follow-ups to unreachable APIs
// are dropped rather than piling up.
func FuzzInbox(f *testing.F) *inbound.Inbox {
	return inbound.New(storerig.Open(f), inbound.Options{FollowupQueue: 1})
}

// FuzzEndpoint is what a webhook's fuzz target records through: FuzzInbox,
// and calls to its platform that give up at once.
func FuzzEndpoint(f *testing.F) inbound.Endpoint {
	return inbound.Endpoint{Inbox: FuzzInbox(f), HTTPClient: &http.Client{Timeout: time.Millisecond}}
}

// FuzzWebhook fuzzes the webhook h with bodies that pass its check (header
// set to sign(body)): whatever such a body holds, the webhook records it
// (200) or refuses it as unreadable (400), never fails with a 5xx that
// would make the platform redeliver it for ever.
func FuzzWebhook(f *testing.F, h http.Handler, header string, sign func(body []byte) string) {
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		req.Header.Set(header, sign(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK && w.Code != http.StatusBadRequest {
			t.Fatalf("a body that passes the check answered %d %s", w.Code, w.Body)
		}
	})
}

// Endpoint is what a webhook handler under test records through: the
// Rig's Inbox and metrics, with 64 KiB bodies at most.
func (r Rig) Endpoint() inbound.Endpoint {
	return inbound.Endpoint{Inbox: r.Inbox, Metrics: r.Metrics, MaxBody: 64 << 10}
}

// Webhook is a webhook under test over a Rig: the fake of the platform API
// it calls (recording into Rec) and the URL it is served at.
type Webhook[F http.Handler] struct {
	Rig
	Fake F
	Rec  *platformtest.Recorder
	URL  string

	newFake    func(*platformtest.Recorder) F
	newHandler func(fake F, apiURL string, base Rig) (http.Handler, error)
}

// NewWebhook serves the fake newFake makes, recording into a new Recorder,
// and the webhook newHandler builds against it (its base URL apiURL,
// recording into base), both over loopback until t ends, over a new Rig.
func NewWebhook[F http.Handler](t testing.TB, newFake func(*platformtest.Recorder) F,
	newHandler func(fake F, apiURL string, base Rig) (http.Handler, error)) Webhook[F] {
	t.Helper()
	return Webhook[F]{newFake: newFake, newHandler: newHandler}.over(t, New(t))
}

// Restart is the webhook built again, with a new fake, over its Rig
// restarted (Rig.Restart): the same database file.
func (w Webhook[F]) Restart(t testing.TB) Webhook[F] {
	t.Helper()
	return w.over(t, w.Rig.Restart(t))
}

func (w Webhook[F]) over(t testing.TB, base Rig) Webhook[F] {
	t.Helper()
	rec := platformtest.NewRecorder(nil)
	fake := w.newFake(rec)
	h, err := w.newHandler(fake, Serve(t, fake), base)
	if err != nil {
		t.Fatal(err)
	}
	w.Rig, w.Fake, w.Rec, w.URL = base, fake, rec, Serve(t, h)
	return w
}
