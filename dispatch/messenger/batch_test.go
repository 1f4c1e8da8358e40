package messenger

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
)

// batchMsg is a message of c to each of psids.
func batchMsg(c herald.Content, psids ...string) *dispatch.Message {
	m := msg(psids[0], c)
	m.To = nil
	for i, p := range psids {
		m.To = append(m.To, dispatch.Recipient{Seq: uint32(i + 1), Key: herald.SubscriberKey{Platform: herald.Messenger, ID: p}, Kind: herald.KindUser})
	}
	return m
}

// One Send to several people is one batch request to the fake (its calls
// share a request ID), each person getting the same Send API message a
// single request would carry, with the tag of a non-marketing broadcast.
func TestBatchCarriesEachPersonsCall(t *testing.T) {
	s, fake, rec := setup(t)
	hello := herald.Content{Kind: herald.TextContent, Text: "Hi & welcome, 100% \"free\" 🎉"}
	psids := []string{"1001", "p&2=x", "3003"}
	for _, p := range psids {
		fake.Interacted(p, time.Now().Add(-30*time.Hour)) // outside the window: only a tag gets through
	}
	m := batchMsg(hello, psids...)
	m.Category, m.Tag = herald.NonMarketing, herald.TagAccountUpdate
	_, err := s.Send(context.Background(), m)
	var each *dispatch.EachError
	if !errors.As(err, &each) || len(each.Errs) != 3 {
		t.Fatalf("Send: %v, want an EachError of 3", err)
	}
	ds := rec.Deliveries("messenger")
	if len(ds) != 3 {
		t.Fatalf("%d delivered, want 3: %+v", len(ds), rec.Rejected("messenger"))
	}
	for i, d := range ds {
		if d.Recipient != psids[i] || d.RequestID != ds[0].RequestID || d.Content != `{"text":"Hi \u0026 welcome, 100% \"free\" 🎉"}` {
			t.Errorf("delivery %d: %+v, want %s's text in the batch's request", i, d, psids[i])
		}
		if each.Errs[i] != nil || each.IDs[i] != d.MessageID {
			t.Errorf("call %d: %v, ID %q, want sent as %s", i, each.Errs[i], each.IDs[i], d.MessageID)
		}
	}
	// One person: the single endpoint, as before.
	m.To = m.To[:1]
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if ds := rec.Deliveries("messenger"); len(ds) != 4 || ds[3].RequestID == ds[0].RequestID {
		t.Errorf("one person's message went in the batch's request")
	}
}

// Each call's answer is translated on its own: sent, blocked (551),
// outside the window, rate limited (613) and not completed (null:
// temporary, sent again like a timed-out request).
func TestBatchTranslatesEachAnswer(t *testing.T) {
	s, fake, rec := setup(t)
	now := time.Now()
	fake.Interacted("p2", now.Add(-48*time.Hour))
	for _, i := range []int{0, 1, 3, 4} {
		fake.Interacted(fmt.Sprint("p", i), now.Add(-time.Hour))
	}
	fake.Faults.Block("p1")
	fake.LimitOnce("p3")
	fake.Unfinished("p4")
	_, err := s.Send(context.Background(), batchMsg(herald.Content{Kind: herald.TextContent, Text: "Sale"}, "p0", "p1", "p2", "p3", "p4"))
	var each *dispatch.EachError
	if !errors.As(err, &each) {
		t.Fatalf("Send: %v, want an EachError", err)
	}
	var ra *herald.RetryAfterError
	var tmp *herald.TemporaryError
	checks := []struct {
		what string
		ok   bool
	}{
		{"p0 sent", each.Errs[0] == nil && each.IDs[0] != ""},
		{"p1 gone", errors.Is(each.Errs[1], herald.ErrRecipientGone)},
		{"p2 outside the window", errors.Is(each.Errs[2], herald.ErrOutsideWindow)},
		{"p3 rate limited", errors.As(each.Errs[3], &ra) && ra.After == time.Second},
		{"p4 unfinished, temporary", errors.As(each.Errs[4], &tmp)},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: got %v", c.what, each.Errs)
		}
	}
	if n := rec.Count("messenger"); n != 1 {
		t.Errorf("%d delivered, want p0 only", n)
	}
	// A whole batch refused (a 5xx) is the request's error, for everyone.
	fake.Faults.FailNext(1, 503)
	_, err = s.Send(context.Background(), batchMsg(herald.Content{Kind: herald.TextContent, Text: "Sale"}, "p0", "p3"))
	if !errors.As(err, &tmp) || errors.As(err, &each) {
		t.Errorf("a 503 batch: %v, want a temporary error for the request", err)
	}
}

// Content of one request per person may be batched; an album with its
// buttons (several requests, in order) may not.
func TestBatchesOnlyContentOfOneRequest(t *testing.T) {
	s, _, _ := setup(t)
	one := herald.Content{Kind: herald.TextContent, Text: "Hi", Buttons: []herald.Button{{ID: "y", Label: "Yes", Kind: herald.ActionButton}}}
	album := herald.Content{Kind: herald.ImageContent, Text: "Look", Images: []herald.Image{{URL: "https://img.example/a.jpg"}, {URL: "https://img.example/b.jpg"}}}
	if !s.MulticastsOf(&one) || s.MulticastsOf(&album) || s.Parts(&album) != 3 {
		t.Errorf("multicasts text with buttons %v, an album %v (%d parts): want true, false, 3", s.MulticastsOf(&one), s.MulticastsOf(&album), s.Parts(&album))
	}
	if _, err := s.Send(context.Background(), batchMsg(album, "a", "b")); err == nil {
		t.Error("an album batched to two people was sent")
	}
	if r := s.Rates(); r.Multicast.Name != BatchClass || r.Multicast.PerSecond != PerSecond/50.0 || s.MaxMulticast() != 50 {
		t.Errorf("rates %+v, batch %d: want %s at %g/50 in batches of 50", r, s.MaxMulticast(), BatchClass, float64(PerSecond))
	}
	one1, err := New(Config{PageToken: "t", BatchSize: 1})
	if err != nil || one1.MaxMulticast() != 1 || one1.Rates().Multicast.Name != "" {
		t.Errorf("batch size 1: %v, %d, %+v: want one request per person", err, one1.MaxMulticast(), one1.Rates())
	}
	if _, err := New(Config{PageToken: "t", BatchSize: 51}); err == nil {
		t.Error("a batch size of 51 was accepted")
	}
}

// A call's PSID is a JSON string inside its recipient form value: one
// with a quote or a backslash reaches its person in a batch as it does
// alone, and a text with a plus, a newline and a tab arrives as written.
func TestBatchEscapesThePSIDAsJSON(t *testing.T) {
	s, fake, rec := setup(t)
	psids := []string{`p"1`, `p\2`, "p+3 %"}
	for _, p := range psids {
		fake.Interacted(p, time.Now())
	}
	_, err := s.Send(context.Background(), batchMsg(herald.Content{Kind: herald.TextContent, Text: "a+b\n\tc"}, psids...))
	var each *dispatch.EachError
	if !errors.As(err, &each) {
		t.Fatalf("Send: %v, want an EachError", err)
	}
	for i, err := range each.Errs {
		if err != nil {
			t.Errorf("call to %q: %v, want sent", psids[i], err)
		}
	}
	for i, d := range rec.Deliveries("messenger") {
		if d.Recipient != psids[i] || d.Content != `{"text":"a+b\n\tc"}` {
			t.Errorf("delivery %d: %q got %s, want %q the text", i, d.Recipient, d.Content, psids[i])
		}
	}
}
