package dispatch_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
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
