package telegram

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
)

// newPreviewRig is the admin rig with previews sent by the Telegram
// sender, as cmd/bot wires it.
func newPreviewRig(t *testing.T) *adminRig {
	t.Helper()
	r := newAdminRig(t)
	sender, err := dtelegram.New(dtelegram.Config{Token: token, BaseURL: r.api.URL})
	if err != nil {
		t.Fatal(err)
	}
	r.a.opts.Previews = sender
	return r
}

// The summary sends the message itself into the admin group, through the
// Telegram sender, personalised for a real member of the audience and
// named; its link opens the target and its action button only says
// "preview".
func TestSummarySendsTheRealMessageIntoTheGroup(t *testing.T) {
	r := newPreviewRig(t)
	if err := r.store.PutSubscribers([]herald.Subscriber{{Platform: herald.LINE, ID: "U9", Kind: herald.KindUser,
		Name: "Alice Chen", State: herald.Subscribed, Tags: []string{"vip"}}}); err != nil {
		t.Fatal(err)
	}

	r.push(r.message(alice, `/new "Hi {name|there} <3" to tag:vip on line at 2030-01-07 09:00`, nil))
	r.press(alice, r.last("Summary of"), "ed:buttons")
	r.press(alice, r.last("Buttons"), "btn:url")
	r.push(r.message(alice, "Shop", ptr(r.last("button's label"))))
	r.push(r.message(alice, "https://shop.example.com/w", ptr(r.last("web address"))))
	r.press(alice, r.last("1. Shop"), "btn:action")
	r.push(r.message(alice, "I'm in", ptr(r.last("button's label"))))
	r.press(alice, r.last("What happens when"), "act:count")
	r.press(alice, r.last("2. I'm in"), "done")

	r.last("Preview for Alice Chen (LINE)")
	msg := r.last("Hi Alice Chen <3")
	if !strings.Contains(msg.ReplyMarkup, `"url":"https://shop.example.com/w"`) || !strings.Contains(msg.ReplyMarkup, `"callback_data":"preview"`) {
		t.Fatalf("preview keyboard %s: want the link as is and an inert action button", msg.ReplyMarkup)
	}
	if summary := r.last("Summary of"); summary.MessageID < msg.MessageID {
		t.Errorf("the summary (message %d) comes before the preview (%d); want it after", summary.MessageID, msg.MessageID)
	}

	before := len(r.sent())
	id := r.press(bob, msg, "preview")
	if a := r.answer(id); !strings.Contains(a.Text, "This is a preview") {
		t.Errorf("a press on the preview's button is answered %q; want it said to be a preview", a.Text)
	}
	if n := len(r.sent()); n != before {
		t.Errorf("a press on the preview's button posted %d messages; want none", n-before)
	}
	taps, err := r.store.Taps("")
	if err != nil || len(taps) != 0 {
		t.Errorf("taps recorded for a preview: %v (%v)", taps, err)
	}
}

// A formatted carousel's preview arrives in the admin group as its
// recipients get it: one message per card, the picture with the title in
// bold and the text's link as a link, and each card's own buttons, inert.
func TestPreviewSendsACarouselCardByCard(t *testing.T) {
	r := newPreviewRig(t)
	text, spans := herald.ParseMarkup("Warm, <https://shop.example/boots|see them>", false)
	reply := flows.Reply{Text: "👁 Preview for Bo (Telegram)", Preview: &flows.Preview{Content: herald.Content{
		Kind: herald.CarouselContent,
		Cards: []herald.Card{{Title: "Boots", Text: text, Spans: spans, Image: herald.Image{URL: "https://cdn.example.com/boots.jpg"}},
			{Title: "Scarf", Text: "Soft"}},
		Buttons: []herald.Button{{ID: "b1", Label: "Want", Kind: herald.ActionButton},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/scarf", Card: 1}}}}}

	r.a.preview(context.Background(), adminGroup, reply)

	sent := r.sent()
	if len(sent) != 3 || sent[0].Text != "👁 Preview for Bo (Telegram)" {
		t.Fatalf("admin group got %+v; want the line naming the recipient, then two cards", sent)
	}
	boots, scarf := sent[1], sent[2]
	if boots.Photo == "" || boots.Text != "Boots\n\nWarm, see them" || scarf.Photo != "" || scarf.Text != "Scarf\n\nSoft" {
		t.Errorf("cards = %q (photo %q), %q (photo %q)", boots.Text, boots.Photo, scarf.Text, scarf.Photo)
	}
	if len(boots.Entities) != 2 || boots.Entities[0].Type != "bold" || boots.Entities[1].URL != "https://shop.example/boots" {
		t.Errorf("card 1 formatting = %+v, want the title bold and the link", boots.Entities)
	}
	if !strings.Contains(boots.ReplyMarkup, `"callback_data":"preview"`) || strings.Contains(boots.ReplyMarkup, "Shop") ||
		!strings.Contains(scarf.ReplyMarkup, `"url":"https://shop.example/scarf"`) || strings.Contains(scarf.ReplyMarkup, "Want") {
		t.Errorf("buttons: card 1 %s, card 2 %s; want each card's own, the action inert", boots.ReplyMarkup, scarf.ReplyMarkup)
	}
}
