package herald

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The links an admin typed in a broadcast's text are listed once each, in
// order, with a label a person can tell them by.
func TestTextLinks(t *testing.T) {
	text, spans := ParseMarkup("Sale! <https://shop.example/sale|Big   sale> or https://shop.example/sale again. "+
		"Read (https://blog.example/post_(2)). Yours: https://me.example/{id} `https://code.example/x` "+
		"詳細はhttps://jp.example/a。 seehttps://no.example x https://www.long.example/a/very/long/path/indeed/to/here/", false)
	c := Content{Kind: CarouselContent, Text: text, Spans: spans, Cards: []Card{{Title: "A", Text: "see https://card.example/x."}}}
	want := []Button{
		{ID: "link1", Kind: URLButton, URL: "https://shop.example/sale", Label: "Big sale"},
		{ID: "link2", Kind: URLButton, URL: "https://blog.example/post_(2)", Label: "blog.example/post_(2)"},
		{ID: "link3", Kind: URLButton, URL: "https://jp.example/a", Label: "jp.example/a"},
		{ID: "link4", Kind: URLButton, URL: "https://www.long.example/a/very/long/path/indeed/to/here/", Label: "long.example/a/very/long/path/i…"},
		{ID: "link5", Kind: URLButton, URL: "https://card.example/x", Label: "card.example/x"},
	}
	if diff := cmp.Diff(want, c.TextLinks()); diff != "" {
		t.Errorf("TextLinks (-want +got):\n%s", diff)
	}
	if got := (&Content{Kind: TextContent, Text: "no links, http is a word"}).TextLinks(); got != nil {
		t.Errorf("plain text has links %v", got)
	}
}

// Tracked, a link keeps its words and opens the recipient's tracked URL
// on Telegram (a Link span), and reads as that URL on LINE and Messenger
// (PlainText); a bare address shows its tracked URL in its place.
func TestTrackLinksRewritesTextAndButtons(t *testing.T) {
	text, spans := ParseMarkup("Hi {name}: *<https://shop.example/sale|our sale>*, also https://shop.example/sale and https://blog.example/x.", false)
	c := Content{Kind: TextContent, Text: text, Spans: spans, Buttons: []Button{
		{ID: "b1", Label: "Join", Kind: ActionButton}, {ID: "b2", Label: "Shop", Kind: URLButton, URL: "https://shop.example/"}}}
	links := c.TextLinks()
	orig := Markup(c.Text, c.Spans)
	got := c.PersonalizeFor(&Subscriber{Name: "Zoë"}).TrackLinks(links, func(i int) string { return "https://h.example/r/" + strconv.Itoa(i) })

	if want := "Hi Zoë: <https://h.example/r/128|*our sale*>, also <https://h.example/r/128|https://shop.example/sale> and <https://h.example/r/129|https://blog.example/x>."; Markup(got.Text, got.Spans) != want {
		t.Errorf("tracked markup = %q\nwant %q", Markup(got.Text, got.Spans), want)
	}
	if want := "Hi Zoë: our sale (https://h.example/r/128), also https://h.example/r/128 and https://h.example/r/129."; PlainText(got.Text, got.Spans) != want {
		t.Errorf("tracked plain text = %q\nwant %q", PlainText(got.Text, got.Spans), want)
	}
	if got.Buttons[0].URL != "" || got.Buttons[1].URL != "https://h.example/r/1" {
		t.Errorf("buttons = %+v, want the URL button tracked as link 1", got.Buttons)
	}
	if Markup(c.Text, c.Spans) != orig || c.Buttons[1].URL != "https://shop.example/" {
		t.Errorf("the broadcast's own content changed: %q %+v", Markup(c.Text, c.Spans), c.Buttons)
	}
	for i, want := range []string{"https://shop.example/", "https://shop.example/sale", "https://blog.example/x"} {
		n := []int{1, FirstTextLink, FirstTextLink + 1}[i]
		if b, ok := TrackedLink(c.Buttons, links, n); !ok || b.URL != want {
			t.Errorf("TrackedLink(%d) = %+v %v, want %s", n, b, ok, want)
		}
	}
	for _, n := range []int{0, 2, FirstTextLink + 2, 255} {
		if b, ok := TrackedLink(c.Buttons, links, n); ok {
			t.Errorf("TrackedLink(%d) = %+v, want none (an action button, or past the end)", n, b)
		}
	}
}

// An address that personalisation writes is each recipient's own: it is
// not among the broadcast's links and goes out as written.
func TestTrackLinksLeavesPersonalAddressesDirect(t *testing.T) {
	c := Content{Kind: TextContent, Text: "Your page: https://me.example/{id} or {attr.site}"}
	links := c.TextLinks()
	got := c.PersonalizeFor(&Subscriber{ID: "U1", Attributes: map[string]string{"site": "https://site.example"}}).
		TrackLinks(links, func(int) string { return "https://h.example/r/x" })
	if len(links) != 0 || got.Text != "Your page: https://me.example/U1 or https://site.example" || len(got.Spans) != 0 {
		t.Errorf("links %v; personalised %q %v, want it untouched", links, got.Text, got.Spans)
	}
}

// A preview is drawn from the first link's target when that link goes out
// tracked; a first link that goes out as written needs no help.
func TestPreviewTargetIsTheFirstTrackedLink(t *testing.T) {
	for _, tc := range []struct{ markup, want string }{
		{"Hi: <https://shop.example/sale|our sale> and https://blog.example/x", "https://shop.example/sale"},
		{"Read https://blog.example/x, then <https://shop.example/|shop>", "https://blog.example/x"},
		{"Yours: https://me.example/{id} then https://blog.example/x", ""},
		{"No links at all", ""},
	} {
		text, spans := ParseMarkup(tc.markup, false)
		c := Content{Kind: TextContent, Text: text, Spans: spans}
		links := c.TextLinks()
		mine := c.PersonalizeFor(&Subscriber{ID: "U1"})
		if got := mine.PreviewTarget(links); got != tc.want {
			t.Errorf("%q: preview target %q, want %q", tc.markup, got, tc.want)
		}
	}
}
