package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/dispatch/telegram"
)

// Messenger text too long for a button template goes out as the text,
// then the buttons. When the page's rate refuses the second request, the
// engine waits and sends only that one: nobody reads the text twice.
func TestMessengerTextAndButtonsResumeAfterTheText(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.Messenger, 2, nil)
	e.fakes.Messenger.Faults.SetRateLimit(1, time.Second)
	bid := e.broadcast(herald.Content{Kind: herald.TextContent, Text: strings.Repeat("Autumn sale. ", 60),
		Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Shop", URL: "https://shop.example"}}}, herald.Messenger)
	run := e.start(bid)
	if tally := run.Tally[herald.Messenger]; tally.Sent != 2 {
		t.Fatalf("run tally %+v, want 2 sent", tally)
	}
	for i := range 2 {
		got := e.fakes.Recorder.To("messenger", subscriberID(herald.Messenger, i))
		if len(got) != 2 || !strings.Contains(got[0].Content, "Autumn sale") || !strings.Contains(got[1].Content, "Shop") {
			t.Errorf("recipient %d got %d messages, want the text then the buttons: %v", i, len(got), got)
		}
	}
	if d := e.fakes.Recorder.Duplicates("messenger"); len(d) != 0 {
		t.Errorf("sent twice: %v", d)
	}
	if len(e.fakes.Recorder.Rejected("messenger")) == 0 {
		t.Error("the page was never rate-limited: the test did not make a second request fail")
	}
}

// Every request counts against Telegram's rate, the second of an album
// with buttons too: at a limit of 5 a second, no second at Telegram holds
// more than 5 requests, though each job makes two; and 8 workers sharing
// the limit's 5 tokens do not wait on each other for a second one.
func TestAlbumsWithButtonsStayWithinTelegramsRate(t *testing.T) {
	e := newEnv(t, nil)
	e.subscribe(herald.Telegram, 20, nil)
	tg, err := telegram.New(telegram.Config{Token: tgToken, BaseURL: e.url + "/telegram", ChatGap: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	opts := e.opts
	opts.Limits.PerSecond, opts.Workers = map[string]float64{telegram.Class: 5}, 8
	eng := e.engine(map[herald.Platform]dispatch.Sender{herald.Telegram: tg}, opts)
	bid := e.broadcast(herald.Content{Kind: herald.ImageContent, Text: "Our autumn lookbook",
		Images:  []herald.Image{{URL: "https://img.example/1.jpg"}, {URL: "https://img.example/2.jpg"}},
		Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Shop", URL: "https://shop.example"}}}, herald.Telegram)
	e.runOn(eng, bid)
	rec := e.fakes.Recorder
	if n := rec.Count("telegram"); n != 40 {
		t.Fatalf("%d requests reached Telegram, want 40 (an album and its buttons for each of 20)", n)
	}
	if most := rec.MaxPerSecond("telegram", false)[tgToken]; most > 5 {
		t.Errorf("%d requests in one second, over the limit of 5", most)
	}
}
