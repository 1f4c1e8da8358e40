package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// saleSent stores a completed broadcast to LINE and Telegram with an
// action button (b1 "Interested") and a link (b2 "Shop").
func (h *harness) saleSent() herald.Broadcast {
	h.t.Helper()
	b := herald.Broadcast{Name: "Sale", Status: herald.StatusCompleted,
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE, herald.Telegram}},
		Content: herald.Content{Kind: herald.TextContent, Text: "Sale", Buttons: []herald.Button{
			{ID: "b1", Label: "Interested", Kind: herald.ActionButton, AddTags: []string{"sale"}},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example"}}}}
	if err := h.store.CreateBroadcast(&b); err != nil {
		h.t.Fatal(err)
	}
	return b
}

// retargetRig stores a finished broadcast with two buttons: 3 LINE users
// tapped "Interested", a Telegram user clicked "Shop".
func retargetRig(t *testing.T, h *harness) herald.Broadcast {
	t.Helper()
	b := h.saleSent()
	c := h.store.(counter)
	var taps []herald.Tap
	for _, id := range []string{"U000", "U001", "U002"} {
		taps = append(taps, herald.Tap{BroadcastID: b.ID, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: id}})
	}
	if err := c.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	tg, err := c.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: "1001"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "b2", Seq: tg.Seq}}); err != nil {
		t.Fatal(err)
	}
	return b
}

// /audience and /new read tapped:, its button form (ID or label) and its
// negation, with live counts; an unknown broadcast or button is named.
func TestRetargetTermsCountAndRefuseUnknownBroadcasts(t *testing.T) {
	h := newHarness(t)
	b := retargetRig(t, h)
	id := strings.ToLower(b.ID)
	for _, tt := range []struct{ args, want string }{
		{"tapped:" + id, "👥 4 recipients — LINE 3 · Telegram 1 · Messenger 0"},
		{"tapped:" + id + "/b1", "👥 3 recipients — LINE 3 · Telegram 0"},
		{"clicked:" + b.ID + "/shop", "👥 1 recipient — LINE 0 · Telegram 1"},
		{"-tapped:" + b.ID + " on line,telegram", "👥 6 recipients — LINE 3 · Telegram 3"},
		{"tag:churned, -tapped:" + b.ID + "/Shop on telegram", "👥 3 recipients"},
	} {
		got := joined(h.send("/audience " + tt.args))
		if !strings.Contains(got, tt.want) {
			t.Errorf("/audience %s said:\n%s\nwant %q", tt.args, got, tt.want)
		}
	}
	mustContain(t, h.send("/audience tapped:"+b.ID+"/Interested"), "Tapped or clicked “Interested” of "+b.ID)
	mustContain(t, h.send("/audience tapped:B-ZZZZ"), "There is no broadcast B-ZZZZ. Check the ID in /list.")
	mustContain(t, h.send("/audience tapped:"+b.ID+"/b7"), "Broadcast "+b.ID+" has no button “b7”.")
	mustContain(t, h.send("/audience tapped:nope!"), "“tapped:nope!” is not a broadcast to retarget.")
	mustContain(t, h.send(`/new "Hello again" to tapped:B-ZZZZ now`), "There is no broadcast B-ZZZZ.")

	// The one-liner keeps the term on the broadcast it creates.
	h.send(`/new "Still interested?" to -tapped:` + b.ID + `/b1 on line`)
	d := h.session().Draft
	if want := []herald.Response{{BroadcastID: b.ID, ButtonID: "b1", Not: true}}; len(d.Audience.Responses) != 1 || d.Audience.Responses[0] != want[0] {
		t.Errorf("draft audience responses = %+v, want %+v", d.Audience.Responses, want)
	}
}

// The wizard's audience step offers recent broadcasts people tapped, and
// picking one narrows the count to them.
func TestWizardPicksABroadcastToRetarget(t *testing.T) {
	h := newHarness(t)
	b := retargetRig(t, h)
	h.send("/new")
	h.send("Follow-up")
	h.press("ch:line")
	h.press("ch:telegram")
	h.press(choiceDone)
	h.wantStep(stepAudience)
	rs := h.press("aud:tapped")
	if len(rs) == 0 || len(rs[len(rs)-1].Choices) == 0 || rs[len(rs)-1].Choices[0] != (Choice{ID: choiceRetarget + b.ID, Label: b.ID + " · Sale (4 people)"}) {
		t.Fatalf("“Tapped a past broadcast” offered %+v, want %s · Sale (4 people) first", rs, b.ID)
	}
	got := joined(h.press(choiceRetarget + b.ID))
	if !strings.Contains(got, "Tapped or clicked a button of "+b.ID) || !strings.Contains(got, "👥 4 recipients") {
		t.Errorf("after picking %s the audience step said:\n%s", b.ID, got)
	}
}
