package clicks_test

import (
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/clicks"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"github.com/heraldbot/herald/storage"
)

// rig is a Tracker on a real store behind a real HTTP server.
type rig struct {
	store *storage.Store
	tr    *clicks.Tracker
	srv   *httptest.Server
	bid   string
}

func newRig(t testing.TB) *rig {
	t.Helper()
	st := storerig.Open(t)
	secret, err := st.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	b := herald.Broadcast{Name: "Sale", Content: herald.Content{Kind: herald.TextContent, Text: "hi, read https://news.example/today.", Buttons: []herald.Button{
		{ID: "b1", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/sale?x=1"},
		{ID: "b2", Label: "Join", Kind: herald.ActionButton, AddTags: []string{"vip"}},
		{ID: "b3", Label: "Blog", Kind: herald.URLButton, URL: "https://blog.example/"},
	}}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tr := clicks.New(st, secret, srv.URL, clicks.Options{})
	t.Cleanup(tr.Close)
	mux.Handle(clicks.Path, tr)
	return &rig{store: st, tr: tr, srv: srv, bid: b.ID}
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	res, err := noFollow.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}

func TestRedirectCountsOncePerRecipient(t *testing.T) {
	r := newRig(t)
	link := r.tr.Link(r.bid, 42, 0)
	if !strings.HasPrefix(link, r.srv.URL+"/r/") || strings.Contains(link, "42") && strings.Contains(link, r.bid) {
		t.Fatalf("link %q: want an opaque token under /r/", link)
	}
	for range 3 {
		code, loc := get(t, link)
		if code != http.StatusFound || loc != "https://shop.example/sale?x=1" {
			t.Fatalf("GET %s = %d %q, want 302 to the shop", link, code, loc)
		}
	}
	if code, loc := get(t, r.tr.Link(r.bid, 7, 2)); code != http.StatusFound || loc != "https://blog.example/" {
		t.Fatalf("blog link = %d %q", code, loc)
	}
	r.tr.Sync()
	got, err := r.store.Clicks(r.bid)
	if err != nil {
		t.Fatal(err)
	}
	want := []herald.TapCount{{ButtonID: "b1", Taps: 3, Unique: 1}, {ButtonID: "b3", Taps: 1, Unique: 1}}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("clicks = %+v, want %+v", got, want)
	}
	who, err := r.store.Clickers(r.bid, "")
	if err != nil || len(who) != 2 {
		t.Fatalf("clickers = %v, %v; want recipients 42 and 7", who, err)
	}
}

func TestRedirectRefusesWhatItCannotVouchFor(t *testing.T) {
	r := newRig(t)
	good := r.tr.Link(r.bid, 42, 0)
	tok := good[strings.LastIndex(good, "/")+1:]
	flipped := []byte(tok)
	flipped[len(flipped)/2] ^= 1 // still base64url: a tampered token
	if flipped[len(flipped)/2] == tok[len(tok)/2] {
		t.Fatal("token unchanged")
	}
	other := clicks.New(r.store, []byte("not the bot's secret"), r.srv.URL, clicks.Options{})
	defer other.Close()
	cases := map[string]string{
		"tampered":          r.srv.URL + "/r/" + string(flipped),
		"garbage":           r.srv.URL + "/r/aHR0cHM6Ly9ldmlsLmV4YW1wbGU",
		"other secret":      other.Link(r.bid, 42, 0),
		"unknown broadcast": r.tr.Link("B-NONE", 42, 0),
		"action button":     r.tr.Link(r.bid, 42, 1),
		"no such button":    r.tr.Link(r.bid, 42, 9),
		"no such text link": r.tr.Link(r.bid, 42, herald.FirstTextLink+1),
	}
	for name, url := range cases {
		if code, loc := get(t, url); code != http.StatusNotFound || loc != "" {
			t.Errorf("%s: GET = %d %q, want 404 and no redirect", name, code, loc)
		}
	}
	r.tr.Sync()
	if got, _ := r.store.Clicks(r.bid); len(got) != 0 {
		t.Fatalf("refused links were counted: %+v", got)
	}
}

// A link in the text redirects and counts like a button, under its own
// key; a link-preview fetcher (a chat app drawing the preview of each
// recipient's link) and a HEAD are redirected but count as nobody's click.
func TestTextLinkRedirectsAndPreviewsAreNotCounted(t *testing.T) {
	r := newRig(t)
	link := r.tr.Link(r.bid, 42, herald.FirstTextLink)
	for _, ua := range []string{"TelegramBot (like TwitterBot)", "facebookexternalhit/1.1;line-poker/1.0",
		"facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"} {
		req, _ := http.NewRequest(http.MethodGet, link, nil)
		req.Header.Set("User-Agent", ua)
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = res.Body.Close()
		if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://news.example/today" {
			t.Errorf("%s: %d %q, want the redirect", ua, res.StatusCode, res.Header.Get("Location"))
		}
	}
	if res, err := noFollow.Head(link); err != nil || res.StatusCode != http.StatusFound {
		t.Fatalf("HEAD = %v, %v; want 302", res, err)
	}
	for range 2 {
		if code, loc := get(t, link); code != http.StatusFound || loc != "https://news.example/today" {
			t.Fatalf("GET = %d %q, want 302 to the news", code, loc)
		}
	}
	r.tr.Sync()
	got, err := r.store.Clicks(r.bid)
	if want := []herald.TapCount{{ButtonID: "link1", Taps: 2, Unique: 1}}; err != nil || len(got) != 1 || got[0] != want[0] {
		t.Fatalf("clicks = %+v, %v; want %+v", got, err, want)
	}
}

// A click is kept with the time it was made (the Tracker's clock), so the
// report's chart can show when people clicked.
func TestClickIsKeptWithItsTime(t *testing.T) {
	r := newRig(t)
	secret, err := r.store.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 9, 40, 0, 0, time.UTC)
	tr := clicks.New(r.store, secret, r.srv.URL, clicks.Options{Now: func() time.Time { return at }})
	defer tr.Close()
	req := httptest.NewRequest(http.MethodGet, tr.Link(r.bid, 42, 0), nil)
	req.SetPathValue("token", path.Base(req.URL.Path))
	w := httptest.NewRecorder()
	tr.ServeHTTP(w, req)
	tr.Sync()
	got, err := r.store.ResponseTimeline(r.bid, at.Truncate(time.Hour), 15*time.Minute, 4)
	if err != nil || w.Code != http.StatusFound || !slices.Equal(got.Clicks, []int{0, 0, 1, 0}) {
		t.Fatalf("status %d; clicks per 15 min from 09:00 = %v, %v; want one at 09:40", w.Code, got.Clicks, err)
	}
}

// A click counts as a response to the broadcast (tapped:) but not as an
// interaction: the last interaction is when the person last wrote to the
// bot or tapped in the chat, the clock of Messenger's 24-hour window and
// of active:/inactive: targeting, and a visit to a web page opens no
// window (see herald.Subscriber.LastInteraction).
func TestClickIsAResponseNotAnInteraction(t *testing.T) {
	r := newRig(t)
	now := time.Now()
	wrote := now.Add(-40 * 24 * time.Hour)
	if err := r.store.PutSubscribers([]herald.Subscriber{{Platform: herald.Messenger, ID: "P1", Kind: herald.KindUser,
		State: herald.Subscribed, FirstSeen: wrote, LastInteraction: wrote}}); err != nil {
		t.Fatal(err)
	}
	sub, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Messenger, ID: "P1"})
	if err != nil {
		t.Fatal(err)
	}
	if code, _ := get(t, r.tr.Link(r.bid, sub.Seq, 0)); code != http.StatusFound {
		t.Fatalf("click = %d, want 302", code)
	}
	r.tr.Sync()
	count := func(a herald.Audience) int {
		t.Helper()
		a.Channels = []herald.Platform{herald.Messenger}
		c, err := r.store.Count(&a, herald.Marketing, now)
		if err != nil {
			t.Fatal(err)
		}
		return c.Total
	}
	if n := count(herald.Audience{Responses: []herald.Response{{BroadcastID: r.bid}}}); n != 1 {
		t.Errorf("tapped:%s counts %d, want the clicker", r.bid, n)
	}
	if n := count(herald.Audience{Activity: &herald.Activity{Op: herald.ActiveWithin, Period: 30 * 24 * time.Hour}}); n != 0 {
		t.Errorf("active:30d counts %d after a click, want 0: a click is no interaction", n)
	}
	after, err := r.store.Subscriber(sub.Key())
	if err != nil {
		t.Fatal(err)
	}
	if !after.LastInteraction.Equal(wrote) || after.InWindow(now) {
		t.Errorf("last interaction = %v after a click, want %v (outside Messenger's window)", after.LastInteraction, wrote)
	}
}
