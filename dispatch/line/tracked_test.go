package line_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/handlers/clicks"
	"github.com/heraldbot/herald/platformtest"
)

// With tracked links, each LINE user's URI action carries a link of their
// own (so the broadcast goes by push, not multicast), and opening it lands
// on the button's target and counts that user's click.
func TestTrackedLinksArePersonalAndLandOnTheTarget(t *testing.T) {
	c, st := dispatchtest.Open(t)
	rec := platformtest.NewRecorder(c.Now)
	lineSrv := httptest.NewServer(platformtest.NewLINE(rec))
	defer lineSrv.Close()
	secret, err := st.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	public := httptest.NewServer(mux)
	defer public.Close()
	tracker := clicks.New(st, secret, public.URL, clicks.Options{})
	defer tracker.Close()
	mux.Handle(clicks.Path, tracker)

	s, err := line.New(line.Config{Token: "line-tracked", BaseURL: lineSrv.URL, Client: lineSrv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	eng := dispatch.New(st, map[herald.Platform]dispatch.Sender{herald.LINE: s},
		dispatch.Options{Workers: 2, Now: c.Now, Sleep: c.Sleep, TrackLink: tracker.Link})
	defer func() { _ = eng.Shutdown(context.Background()) }()

	subs := dispatchtest.LINEUsers(t, st, 3)
	b := herald.Broadcast{Name: "Sale", Status: herald.StatusScheduled,
		Content: herald.Content{Kind: herald.TextContent, Text: "Sale today", Buttons: []herald.Button{
			{ID: "shop", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/sale"}}},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users},
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: c.Now()}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := eng.Start(ctx, b.ID); err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	tracked := regexp.MustCompile(regexp.QuoteMeta(public.URL) + `/r/[A-Za-z0-9_-]+`)
	seen := map[string]bool{}
	for _, sub := range subs {
		got := rec.To("line", sub.ID)
		if len(got) != 1 || got[0].Method != "push" {
			t.Fatalf("%s got %v, want one push", sub.ID, got)
		}
		link := tracked.FindString(got[0].Content)
		if link == "" || seen[link] {
			t.Fatalf("%s: no link of their own in %s", sub.ID, got[0].Content)
		}
		seen[link] = true
		code, loc := follow(t, link)
		if code != http.StatusFound || loc != "https://shop.example/sale" {
			t.Fatalf("%s's link answered %d %q", sub.ID, code, loc)
		}
	}
	tracker.Sync()
	got, err := st.Clicks(b.ID)
	if err != nil || len(got) != 1 || got[0].Unique != 3 {
		t.Fatalf("clicks = %+v, %v; want 3 people on shop", got, err)
	}
}

func follow(t *testing.T, url string) (int, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	return res.StatusCode, res.Header.Get("Location")
}
