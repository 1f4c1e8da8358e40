package dispatch_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/clicks"
	"github.com/heraldbot/herald/locales"
)

// A broadcast whose text has a formatted link and a bare address, and a
// link button, goes out on Telegram, LINE and Messenger with each
// recipient's own tracked URLs (so LINE pushes instead of multicasting):
// on Telegram the words stay and the link opens the tracked URL; on LINE
// and Messenger the URL shown is the tracked one. Following them redirects
// to the real targets and counts each person once (and every visit);
// Telegram draws its link preview from the first link's target; and
// /stats' lines show the text's links by their words and address.
func TestLinksAreTrackedPerRecipientOnEveryPlatform(t *testing.T) {
	var tracker *clicks.Tracker
	e := newEnv(t, func(o *dispatch.Options) {
		o.TrackLink = func(bid string, seq uint32, n int) string { return tracker.Link(bid, seq, n) }
	})
	secret, err := e.st.ClickSecret()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	public := httptest.NewServer(mux)
	t.Cleanup(public.Close)
	tracker = clicks.New(e.st, secret, public.URL, clicks.Options{})
	t.Cleanup(tracker.Close)
	mux.Handle(clicks.Path, tracker)

	channels := []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}
	var subs []herald.Subscriber
	for _, p := range channels {
		subs = append(subs, e.subscribe(p, 2, nil)...)
	}
	text, spans := herald.ParseMarkup("Hi {name}! *<https://shop.example/sale?a=1&b=2|Winter sale>* ends today; details at https://blog.example/winter.", false)
	bid := e.broadcast(herald.Content{Kind: herald.TextContent, Text: text, Spans: spans, Buttons: []herald.Button{
		{ID: "shop", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/"}}}, channels...)
	run := e.start(bid)
	if got := run.Tally; got[herald.Telegram].Sent+got[herald.LINE].Sent+got[herald.Messenger].Sent != len(subs) {
		t.Fatalf("tally %+v, want all %d sent", got, len(subs))
	}

	tracked := regexp.MustCompile(regexp.QuoteMeta(public.URL) + `/r/[A-Za-z0-9_-]+`)
	seen := map[string]bool{}
	targets := []string{"https://blog.example/winter", "https://shop.example/", "https://shop.example/sale?a=1&b=2"}
	for i, sub := range subs {
		got := e.fakes.Recorder.To(string(sub.Platform), sub.ID)
		if len(got) != 1 || sub.Platform == herald.LINE && got[0].Method != "push" {
			t.Fatalf("%s %s got %v, want one message (a push on LINE)", sub.Platform, sub.ID, got)
		}
		links := tracked.FindAllString(got[0].Content, -1)
		if sub.Platform == herald.Telegram {
			id, _ := strconv.ParseInt(sub.ID, 10, 64)
			m := e.fakes.Telegram.Sent(id)[0]
			if want := "Hi " + sub.Name + "! Winter sale ends today; details at https://blog.example/winter."; m.Text != want {
				t.Errorf("Telegram %s sees %q, want the words unchanged: %q", sub.ID, m.Text, want)
			}
			// Telegram draws the preview of the first link once, from
			// its target, not through each recipient's redirect.
			if m.Preview != targets[2] {
				t.Errorf("Telegram %s: preview drawn from %q, want the first link's target %q", sub.ID, m.Preview, targets[2])
			}
			links = tracked.FindAllString(m.ReplyMarkup, -1)
			for _, en := range m.Entities {
				if en.Type == "text_link" {
					links = append(links, en.URL)
				}
			}
		} else if shown := tracked.ReplaceAllString(got[0].Content, "TRACKED"); !strings.Contains(shown,
			"Hi "+sub.Name+"! Winter sale (TRACKED) ends today; details at TRACKED.") {
			t.Errorf("%s %s got %s, want the links shown as their tracked URLs", sub.Platform, sub.ID, got[0].Content)
		}
		slices.Sort(links) // LINE repeats the text as the Flex message's alt text
		var landed []string
		for _, l := range slices.Compact(links) {
			if !tracked.MatchString(l) || seen[l] {
				t.Fatalf("%s %s: link %q is not a tracked link of their own", sub.Platform, sub.ID, l)
			}
			seen[l] = true
			code, loc := follow(t, l)
			if code != http.StatusFound {
				t.Fatalf("%s %s: %s answered %d", sub.Platform, sub.ID, l, code)
			}
			landed = append(landed, loc)
			if i == 3 && loc == targets[2] { // a second visit counts in the total only
				follow(t, l)
			}
		}
		if slices.Sort(landed); !slices.Equal(landed, targets) {
			t.Fatalf("%s %s: links land on %v, want %v", sub.Platform, sub.ID, landed, targets)
		}
	}
	tracker.Sync()
	got, err := e.st.Clicks(bid)
	want := []herald.TapCount{{ButtonID: "link1", Taps: 7, Unique: 6}, {ButtonID: "link2", Taps: 6, Unique: 6}, {ButtonID: "shop", Taps: 6, Unique: 6}}
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("clicks = %+v, %v; want %+v", got, err, want)
	}

	b, err := e.st.Broadcast(bid)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := flows.ReadButtonStats(e.st, &b, []herald.Run{run}, true)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(stats.Lines(cat.Localizer("en"), true), "\n")
	for _, want := range []string{
		"• Shop: clicked by 6 (100% of delivered), 6 clicks",
		"• link 1: Winter sale: clicked by 6 (100% of delivered), 7 clicks\n  LINE 2 (100%) · Telegram 2 (100%) · Messenger 2 (100%)",
		"• link 2: blog.example/winter: clicked by 6 (100% of delivered), 6 clicks",
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("stats:\n%s\nwant them to contain:\n%s", lines, want)
		}
	}
}

// follow GETs a link without following its redirect.
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
