package adminchat_test

import (
	"context"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// The report says per button and per link in the text how many people
// tapped or clicked it and their share of those it reached; a link nobody
// clicked is left out (it may have gone out direct).
func TestReportShowsTappersAndClickers(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Sale", herald.Origin{}, func(b *herald.Broadcast) {
		b.Content = herald.Content{Kind: herald.TextContent, Text: "Sale: https://shop.example/sale and https://shop.example/faq", Buttons: []herald.Button{
			{ID: "b1", Label: "Interested", Kind: herald.ActionButton, AddTags: []string{"sale"}},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example"},
			{ID: "b3", Label: "Blog", Kind: herald.URLButton, URL: "https://blog.example"}}}
	})
	line := func(id string) herald.SubscriberKey { return herald.SubscriberKey{Platform: herald.LINE, ID: id} }
	if err := r.store.RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U1")},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U1")}, {BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U2")}}); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "b2", Seq: 1},
		{BroadcastID: b.ID, ButtonID: "link1", Seq: 1}, {BroadcastID: b.ID, ButtonID: "link1", Seq: 2}}); err != nil {
		t.Fatal(err)
	}
	r.rep.Finished(context.Background(), herald.Report{
		Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 8, herald.Tally{Sent: 8}), Duration: time.Second})
	got := r.last()
	mustContain(t, "report", got, "Buttons so far:",
		"• Interested: tapped by 2 (25% of delivered), 3 taps",
		"• Shop: clicked by 1 (12.5% of delivered), 1 clicks",
		"• link 1: shop.example/sale: clicked by 2 (25% of delivered), 2 clicks")
	mustLack(t, "report", got, "Blog", "faq")
}
