package clicks_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/line"
	"github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/clicks"
	"github.com/heraldbot/herald/handlers/internal/storerig"
	"github.com/heraldbot/herald/locales"
	"github.com/heraldbot/herald/platformtest"
)

// A broadcast whose text has a formatted link and a bare address goes out
// on Telegram, LINE and Messenger with each recipient's own tracked URLs:
// on Telegram the words stay and the link opens the tracked URL; on LINE
// and Messenger the URL shown is the tracked one. Following them redirects
// to the real targets and counts each person once (and every visit), and
// /stats' lines show the links by their words and address.
func TestLinksInTheTextAreTrackedOnEveryPlatform(t *testing.T) {
	clock := platformtest.NewClock(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
	st := storerig.Open(t)
	rec := platformtest.NewRecorder(clock.Now)
	tgFake := platformtest.NewTelegram(rec)
	t.Cleanup(tgFake.Close)
	msFake := platformtest.NewMessenger(rec)
	msFake.AllowTokens("page-token")
	fakes := map[string]*httptest.Server{}
	for name, h := range map[string]http.Handler{"telegram": tgFake, "line": platformtest.NewLINE(rec), "messenger": msFake} {
		fakes[name] = httptest.NewServer(h)
		t.Cleanup(fakes[name].Close)
	}
	secret, err := st.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	public := httptest.NewServer(mux)
	t.Cleanup(public.Close)
	tracker := clicks.New(st, secret, public.URL, clicks.Options{})
	t.Cleanup(tracker.Close)
	mux.Handle(clicks.Path, tracker)

	tg, err := telegram.New(telegram.Config{Token: "tg-token", BaseURL: fakes["telegram"].URL, Client: fakes["telegram"].Client()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := line.New(line.Config{Token: "line-token", BaseURL: fakes["line"].URL, Client: fakes["line"].Client()})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := messenger.New(messenger.Config{PageToken: "page-token", BaseURL: fakes["messenger"].URL, Client: fakes["messenger"].Client()})
	if err != nil {
		t.Fatal(err)
	}
	eng := dispatch.New(st, map[herald.Platform]dispatch.Sender{herald.Telegram: tg, herald.LINE: ln, herald.Messenger: ms},
		dispatch.Options{Workers: 2, Now: clock.Now, Sleep: clock.Sleep, TrackLink: tracker.Link})
	t.Cleanup(func() { _ = eng.Shutdown(context.Background()) })

	var subs []herald.Subscriber
	for i := range 2 {
		subs = append(subs,
			herald.Subscriber{Platform: herald.Telegram, ID: strconv.Itoa(1000 + i), Name: fmt.Sprintf("Tg %d", i)},
			herald.Subscriber{Platform: herald.LINE, ID: fmt.Sprintf("U%032d", i), Name: fmt.Sprintf("Line %d", i)},
			herald.Subscriber{Platform: herald.Messenger, ID: fmt.Sprintf("psid%d", i), Name: fmt.Sprintf("Ms %d", i), LastInteraction: clock.Now()})
		msFake.Interacted(fmt.Sprintf("psid%d", i), clock.Now())
	}
	for i := range subs {
		subs[i].Kind, subs[i].State = herald.KindUser, herald.Subscribed
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	text, spans := herald.ParseMarkup("Hi {name}! *<https://shop.example/sale?a=1&b=2|Winter sale>* ends today; details at https://blog.example/winter.", false)
	b := herald.Broadcast{Name: "Winter", Status: herald.StatusScheduled,
		Content:  herald.Content{Kind: herald.TextContent, Text: text, Spans: spans},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}, Recipients: herald.Users},
		Category: herald.Marketing, Schedule: herald.Schedule{Kind: herald.SendNow, At: clock.Now()}}
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
	targets := []string{"https://shop.example/sale?a=1&b=2", "https://blog.example/winter"}
	for _, sub := range subs {
		var links []string
		switch sub.Platform {
		case herald.Telegram:
			id, _ := strconv.ParseInt(sub.ID, 10, 64)
			got := tgFake.Sent(id)
			if len(got) != 1 {
				t.Fatalf("%s got %d messages", sub.ID, len(got))
			}
			if want := "Hi " + sub.Name + "! Winter sale ends today; details at https://blog.example/winter."; got[0].Text != want {
				t.Errorf("Telegram %s sees %q, want the words unchanged: %q", sub.ID, got[0].Text, want)
			}
			for _, e := range got[0].Entities {
				if e.Type == "text_link" {
					links = append(links, e.URL)
				}
			}
		default:
			got := rec.To(string(sub.Platform), sub.ID)
			if len(got) != 1 {
				t.Fatalf("%s %s got %v, want one message", sub.Platform, sub.ID, got)
			}
			links = tracked.FindAllString(got[0].Content, -1)
			shown := tracked.ReplaceAllString(got[0].Content, "TRACKED")
			if want := `Hi ` + sub.Name + `! Winter sale (TRACKED) ends today; details at TRACKED.`; !strings.Contains(shown, want) {
				t.Errorf("%s %s got %s, want it to read %q", sub.Platform, sub.ID, got[0].Content, want)
			}
		}
		if len(links) != 2 {
			t.Fatalf("%s %s: tracked links %v, want 2", sub.Platform, sub.ID, links)
		}
		for i, l := range links {
			if !tracked.MatchString(l) || seen[l] {
				t.Fatalf("%s %s: link %q is not a tracked link of their own", sub.Platform, sub.ID, l)
			}
			seen[l] = true
			if code, loc := get(t, l); code != http.StatusFound || loc != targets[i] {
				t.Fatalf("%s %s: %s answered %d %q, want 302 to %s", sub.Platform, sub.ID, l, code, loc, targets[i])
			}
		}
		if sub.Platform == herald.LINE && sub.ID == subs[1].ID { // a second visit counts in the total only
			_, _ = get(t, links[0])
		}
	}
	tracker.Sync()
	got, err := st.Clicks(b.ID)
	want := []herald.TapCount{{ButtonID: "link1", Taps: 7, Unique: 6}, {ButtonID: "link2", Taps: 6, Unique: 6}}
	if err != nil || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("clicks = %+v, %v; want %+v", got, err, want)
	}

	runs, err := st.RunsOf(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := flows.ReadButtonStats(st, &b, runs, true)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(stats.Lines(cat.Localizer("en"), true), "\n")
	for _, want := range []string{
		"• link 1: Winter sale: clicked by 6 (100% of delivered), 7 clicks\n  LINE 2 (100%) · Telegram 2 (100%) · Messenger 2 (100%)",
		"• link 2: blog.example/winter: clicked by 6 (100% of delivered), 6 clicks",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("stats:\n%s\nwant them to contain:\n%s", lines, want)
		}
	}
}
