package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/platformtest"
)

// The summary draws the message in the thread as people on its channels
// get it, personalised for a real member of the audience and named; its
// link opens the target and its action button only says "preview".
func TestSummaryDrawsThePreviewInBlockKit(t *testing.T) {
	r := newRig(t, func(o *Options, _ *platformtest.Slack) {
		o.MediaURL = func(id string) string { return "https://herald.example.com/media/" + id }
	})
	if err := r.store.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: "U9", Kind: herald.KindUser,
		Name: "Alice Chen", State: herald.Subscribed, Tags: []string{"vip"}}}); err != nil {
		t.Fatal(err)
	}

	r.slash(alice, `new "Hi *{name|there}* <3 <https://shop.example.com/w?a=1&amp;b=2|see the shop>" to tag:vip on line at 2030-01-07 09:00`)
	thread := r.last("Summary of").ThreadTS
	r.press(alice, r.last("Summary of"), "ed:buttons")
	r.press(alice, r.last("Buttons"), "btn:url")
	r.reply(alice, thread, "Shop")
	r.reply(alice, thread, "https://shop.example.com/w")
	r.press(alice, r.last("1. Shop"), "btn:action")
	r.reply(alice, thread, "I'm in")
	r.press(alice, r.last("What happens when"), "act:count")
	r.press(alice, r.last("2. I"), "done")

	pv := r.last("Preview for Alice Chen (LINE)")
	for _, want := range []string{`Hi *Alice Chen* \u0026lt;3 \u003chttps://shop.example.com/w?a=1\u0026amp;b=2|see the shop\u003e`,
		`"url":"https://shop.example.com/w"`, `"value":"preview"`, `{"type":"context","elements":[{"type":"mrkdwn","text":"_As it arrives on LINE_"}]}`} {
		if !strings.Contains(pv.Blocks, want) {
			t.Errorf("preview blocks lack %s: %s", want, pv.Blocks)
		}
	}
	if pv.ThreadTS != thread {
		t.Errorf("preview posted in thread %q, want the wizard's %q", pv.ThreadTS, thread)
	}

	before := len(r.fake.Messages(channel))
	r.press(bob, pv, "preview")
	msgs := r.fake.Messages(channel)
	if len(msgs) != before+1 || !msgs[len(msgs)-1].Ephemeral || !strings.Contains(msgs[len(msgs)-1].Text, "This is a preview") {
		t.Errorf("a press on the preview's button: want one ephemeral saying it is a preview; the channel shows %+v", msgs[before:])
	}
}

// A card's preview shows its one picture (an uploaded one by the address
// Herald serves it at) and its title in bold above the text.
func TestPreviewDrawsACardWithItsPicture(t *testing.T) {
	r := newRig(t, func(o *Options, _ *platformtest.Slack) {
		o.MediaURL = func(id string) string { return "https://herald.example.com/media/" + id }
	})
	reply := flows.Reply{Text: "👁 Preview for Bo (Telegram)", Preview: &flows.Preview{
		Content: herald.Content{Kind: herald.CardContent, Title: "New menu", Text: "Fish & chips",
			Images: []herald.Image{{MediaID: "m1"}, {URL: "https://cdn.example.com/2.jpg"}}},
		Channels: []herald.Platform{herald.Telegram, herald.Messenger}}}

	if err := r.h.postPreview(context.Background(), channel, "", alice, reply); err != nil {
		t.Fatal(err)
	}

	got := r.last("Preview for Bo").Blocks
	for _, want := range []string{`"image_url":"https://herald.example.com/media/m1"`, `*New menu*\nFish \u0026amp; chips`, "As it arrives on Telegram, Messenger"} {
		if !strings.Contains(got, want) {
			t.Errorf("card preview lacks %s: %s", want, got)
		}
	}
	if strings.Contains(got, "2.jpg") {
		t.Errorf("card preview shows a second picture: %s", got)
	}
}

// A carousel's preview draws each card as its own message: its picture,
// its title in bold above its formatted text, and only its own buttons,
// in the order of the cards.
func TestPreviewDrawsEachCardOfACarousel(t *testing.T) {
	r := newRig(t)
	text, spans := herald.ParseMarkup("Warm, <https://shop.example/boots|see them>", false)
	reply := flows.Reply{Text: "👁 Preview for Bo (Telegram)", Preview: &flows.Preview{
		Content: herald.Content{Kind: herald.CarouselContent,
			Cards: []herald.Card{{Title: "Boots", Text: text, Spans: spans, Image: herald.Image{URL: "https://cdn.example.com/boots.jpg"}},
				{Title: "Scarf & hat", Text: "Soft"}},
			Buttons: []herald.Button{{ID: "b1", Label: "Want", Kind: herald.ActionButton},
				{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/scarf", Card: 1}}},
		Channels: []herald.Platform{herald.LINE}}}

	if err := r.h.postPreview(context.Background(), channel, "", alice, reply); err != nil {
		t.Fatal(err)
	}

	var blocks []struct {
		Type     string
		ImageURL string `json:"image_url"`
		Text     struct{ Text string }
		Elements []struct{ Text any }
	}
	if err := json.Unmarshal([]byte(r.last("Preview for Bo").Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range blocks {
		switch b.Type {
		case "image":
			got = append(got, "image "+b.ImageURL)
		case "section":
			got = append(got, b.Text.Text)
		case "actions":
			for _, e := range b.Elements {
				got = append(got, fmt.Sprint("button ", e.Text.(map[string]any)["text"]))
			}
		default:
			got = append(got, b.Type)
		}
	}
	want := []string{"👁 Preview for Bo (Telegram)", "divider",
		"image https://cdn.example.com/boots.jpg", "*Boots*\nWarm, <https://shop.example/boots|see them>", "button Want", "divider",
		"*Scarf &amp; hat*\nSoft", "button Shop", "divider", "context"}
	if !slices.Equal(got, want) {
		t.Errorf("carousel preview draws\n%q\nwant\n%q", got, want)
	}
}
