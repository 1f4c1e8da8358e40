package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
)

// The console prints the summary's preview as the Telegram sender renders
// it: the text as sent, its formatting in markup, personalised for a
// real member of the audience, under the line naming them.
func TestSummaryPrintsTheTelegramRendering(t *testing.T) {
	e, s := newEngine(t)
	if _, err := s.UpdateSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}, func(sub *herald.Subscriber, _ bool) error {
		sub.Name = "Alice Chen"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tg, err := dtelegram.New(dtelegram.Config{Token: "1:x", BaseURL: "http://127.0.0.1:1"}) // renders only
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	c := New(e, &out, Options{Preview: tg.PreviewText})

	if err := c.Send(context.Background(), `/new "Hi *{name|there}* & <friends>" on line at 2030-01-07 09:00`); err != nil {
		t.Fatal(err)
	}

	want := "👁 Preview for Alice Chen (LINE), as the message arrives. Its buttons record no taps here:\n  ┃ Hi *Alice Chen* & <friends>\n"
	if got := out.String(); !strings.Contains(got, want) {
		t.Errorf("console shows:\n%s\nwant it to contain:\n%s", got, want)
	}
}
