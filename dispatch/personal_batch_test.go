package dispatch_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// A personalised broadcast with a tracked link button goes to Messenger
// people in Graph batches all the same (50, 50 and 20 calls), and every
// person gets their own name and their own tracked link, once. Those whose
// calls were rate limited are sent again together, each still with their
// own message: in one request per batch they were in (4 and 17
// together, 63 alone).
func TestMessengerBatchesPersonalMessages(t *testing.T) {
	e := newEnv(t, func(o *dispatch.Options) {
		o.TrackLink = func(bid string, seq uint32, n int) string { return fmt.Sprintf("https://t.example/%d/%d", seq, n) }
	})
	subs := e.subscribe(herald.Messenger, 120, nil)
	m := e.fakes.Messenger
	again := map[int]int{4: 2, 17: 2, 63: 1} // person: calls in the request sending them again
	for i := range again {
		m.LimitOnce(subs[i].ID)
	}
	bid := e.broadcast(herald.Content{Kind: herald.TextContent, Text: "Hi {name}!",
		Buttons: []herald.Button{{ID: "shop", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example/"}}}, herald.Messenger)

	run := e.start(bid)

	rec := e.fakes.Recorder
	if tl := run.Tally[herald.Messenger]; run.Status != herald.RunCompleted || tl.Sent != 120 {
		t.Fatalf("run %s, tally %+v: want completed, 120 sent", run.Status, tl)
	}
	if n := rec.Requests("messenger"); n != 5 {
		t.Errorf("%d requests, want 5: three batches and two sending again", n)
	}
	perRequest := map[int64]int{}
	for _, d := range rec.Deliveries("messenger") {
		perRequest[d.RequestID]++
	}
	for i, s := range subs {
		ds := rec.To("messenger", s.ID)
		if len(ds) != 1 {
			t.Errorf("person %d got %d messages, want 1", i, len(ds))
			continue
		}
		name := fmt.Sprintf(`Hi Ann %d!`, i)
		link := fmt.Sprintf(`https://t.example/%d/0"`, s.Seq)
		if !strings.Contains(ds[0].Content, name) || !strings.Contains(ds[0].Content, link) {
			t.Errorf("person %d got %s, want %q and their link %s", i, ds[0].Content, name, link)
		}
		want, ok := again[i]
		if !ok {
			want = []int{48, 49, 20}[i/50] // a batch's calls but those rate limited
		}
		if got := perRequest[ds[0].RequestID]; got != want {
			t.Errorf("person %d got theirs in a request of %d calls, want %d", i, got, want)
		}
	}
}

// A personalised broadcast whose text is too long for a button template
// for some names takes two requests for those people: they get it alone,
// in order, while the others share batches.
func TestMessengerSendsAPersonalMessageOfTwoPartsAlone(t *testing.T) {
	e := newEnv(t, nil)
	subs := e.subscribe(herald.Messenger, 4, func(i int, s *herald.Subscriber) {
		if i == 2 {
			s.Name = strings.Repeat("N", 40)
		}
	})
	text := "Hi {name}! " + strings.Repeat("x", 640-len("Hi {name}! ")) // a template's 640 characters
	bid := e.broadcast(herald.Content{Kind: herald.TextContent, Text: text,
		Buttons: []herald.Button{{ID: "more", Label: "More", Kind: herald.ActionButton}}}, herald.Messenger)

	run := e.start(bid)

	rec := e.fakes.Recorder
	if tl := run.Tally[herald.Messenger]; tl.Sent != 4 {
		t.Fatalf("tally %+v, want 4 sent", tl)
	}
	if ds := rec.To("messenger", subs[2].ID); len(ds) != 2 || ds[0].RequestID == ds[1].RequestID || !strings.Contains(ds[0].Content, "NNNN") {
		t.Errorf("the long name got %+v, want the text then the buttons, in two requests", ds)
	}
	if n := rec.Requests("messenger"); n != 3 {
		t.Errorf("%d requests, want 3: one batch of the others, two for the long name", n)
	}
}
