package flows

import (
	"reflect"
	"strings"
	"testing"
)

// Every mistake gets one line saying how to fix it, the same step is
// asked again, and nothing entered earlier is lost.
func TestEveryStepExplainsMistakesAndAsksAgain(t *testing.T) {
	tests := []struct {
		at    string
		input func(h *harness) []Reply
		want  string
	}{
		{stepName, func(h *harness) []Reply { return h.send("   ") }, "The name can't be empty"},
		{stepName, func(h *harness) []Reply { return h.send(strings.Repeat("n", 81)) }, "That name has 81 characters; the limit is 80"},
		{stepChannels, func(h *harness) []Reply { return h.press(choiceDone) }, "Choose at least one channel"},
		{stepChannels, func(h *harness) []Reply { return h.send("line, wechat") }, "“wechat” isn't one of the channels here"},
		{stepAudience, func(h *harness) []Reply { return h.do(Input{Choice: "rk:robots"}) }, "Please press one of the buttons"},
		{stepAudience, func(h *harness) []Reply { return h.send("tag:nobody-has-this") }, ""},
		{stepAudience, func(h *harness) []Reply { return h.send("tag:vip attr:") }, "“attr:” isn't a condition I understand"},
		{stepAudience, func(h *harness) []Reply {
			h.press("aud:csv")
			return h.upload("ids.csv", "text/csv", []byte("U001\nU002\n"))
		}, "Line 1 has no channel"},
		{stepAudience, func(h *harness) []Reply {
			h.press("aud:csv")
			return h.upload("ids.csv", "text/csv", []byte("messenger:P1\n"))
		}, "Line 1 is for a channel this broadcast doesn't use"},
		{stepAudience, func(h *harness) []Reply { h.press("aud:tags"); return h.send("vip, https://x.example") }, "“https://x.example” can't be a tag"},
		{stepContentKind, func(h *harness) []Reply { h.press("ct:images"); return h.upload("a.txt", "text/plain", []byte("x")) }, "“a.txt” isn't an image"},
		{stepContentKind, func(h *harness) []Reply { h.press("ct:card"); return h.send(strings.Repeat("t", 81)) }, "That title has 81 characters; cards fit 80"},
		{stepText, func(h *harness) []Reply { return h.send("Hi {nmae}") }, "I don't know the placeholder {nmae}"},
		{stepText, func(h *harness) []Reply { return h.send(strings.Repeat("x", 4097)) }, "That's 4,097 characters; messages fit 4,096 on the channels you chose"}, // LINE and Telegram,
		{stepTiming, func(h *harness) []Reply { h.press("tm:at"); return h.send("next week") }, "I couldn't read that time"},
		{stepTiming, func(h *harness) []Reply { h.press("tm:at"); return h.send("2020-01-01 09:00") }, "That time is in the past (2020-01-01 09:00)"},
		{stepTiming, func(h *harness) []Reply { h.press("tm:user"); return h.send("2026-11-23 12:00") }, "For “each person's own time”, 12:00 must still be ahead in every timezone, and it comes first at UTC+14. Pick 2026-11-23 15:06 or later."},
		{stepTiming, func(h *harness) []Reply { h.press("tm:every"); return h.send("every full moon") }, "I couldn't read that. Type e.g. “every day 09:00”"},
		{stepButtons, func(h *harness) []Reply { h.press("btn:url"); h.send("Go"); return h.send("shop.example.com") }, "That isn't a web address"},
		{stepButtons, func(h *harness) []Reply { h.press("btn:url"); return h.send(strings.Repeat("L", 21)) }, "That label has 21 characters; buttons fit 20"},
		{stepButtons, func(h *harness) []Reply { h.press("btn:action"); h.send("Go"); return h.send("teleport") }, "Type what a tap does"},
	}
	for _, tt := range tests {
		t.Run(tt.at+"/"+tt.want, func(t *testing.T) {
			h := newHarness(t)
			h.walkTo(tt.at)
			before := h.session()
			rs := tt.input(h)
			if tt.want == "" { // an empty audience is shown, and refused on Continue
				mustContain(t, rs, "👥 0 recipients")
				rs = h.press(choiceDone)
				tt.want = "Nobody matches this audience"
			}
			mustContain(t, rs, "⚠️ "+tt.want)
			first, _, _ := strings.Cut(strings.TrimPrefix(rs[len(rs)-1].Text, "⚠️ "), "\n")
			if !strings.Contains(first, tt.want) || strings.Count(rs[len(rs)-1].Text, "⚠️") != 1 {
				t.Errorf("the mistake should be explained in one line at the top; got:\n%s", rs[len(rs)-1].Text)
			}
			after := h.session()
			if after.Draft.Name != before.Draft.Name || len(after.Draft.Audience.Channels) < len(before.Draft.Audience.Channels) {
				t.Errorf("a mistake lost earlier answers: before %+v after %+v", before.Draft, after.Draft)
			}
		})
	}
}

func TestNameMustBeUniqueAmongUnfinished(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	h.press("sum:confirm")
	id := h.stored().ID
	h.send("/new")
	mustContain(t, h.send("winter SALE"), "“winter SALE” is already used by "+id)
	h.wantStep(stepName)
}

// Back from every step leads to the previous one with its answer kept;
// Cancel from every step ends the wizard without saving.
func TestBackAndCancelFromEveryStep(t *testing.T) {
	order := []string{stepChannels, stepAudience, stepContentKind, stepText, stepButtons, stepTiming, stepOperator}
	prev := map[string]string{stepChannels: stepName, stepAudience: stepChannels,
		stepContentKind: stepAudience, stepText: stepContentKind, stepButtons: stepText, stepTiming: stepButtons, stepOperator: stepTiming}
	for _, st := range order {
		t.Run(st, func(t *testing.T) {
			h := newHarness(t)
			h.walkTo(st)
			h.wantStep(st)
			h.press(choiceBack)
			h.wantStep(prev[st])
			if h.session().Draft.Name != "Winter sale" {
				t.Errorf("Back lost the name")
			}
			h.walkBackTo(st)
			before := h.session().Draft
			// Cancel asks first; Keep going is back at the step, nothing lost.
			mustContain(t, h.press(choiceCancel), "Throw away “Winter sale”?")
			h.press("wiz:again")
			h.wantStep(st)
			if !reflect.DeepEqual(h.session().Draft, before) {
				t.Errorf("Keep going changed the draft: %+v, was %+v", h.session().Draft, before)
			}
			h.press(choiceCancel)
			rs := h.press(choiceDiscard)
			mustContain(t, rs, "Canceled “Winter sale”. Nothing was saved.")
			if h.step() != "" {
				t.Errorf("session still at %q after Cancel", h.step())
			}
			if n := len(h.mustList()); n != 0 {
				t.Errorf("Cancel saved %d broadcasts", n)
			}
		})
	}
	t.Run(stepName, func(t *testing.T) {
		h := newHarness(t)
		h.send("/new")
		mustContain(t, h.do(Input{Choice: choiceBack}), "This is the first step")
		mustContain(t, h.send("cancel"), "Canceled")
		if h.step() != "" {
			t.Errorf("typing “cancel” left the session at %q", h.step())
		}
	})
}

// walkBackTo re-advances one step after a Back, using the kept answers.
func (h *harness) walkBackTo(st string) {
	h.t.Helper()
	switch h.step() {
	case stepName:
		h.send("Winter sale")
	case stepChannels, stepAudience, stepButtons:
		h.press(choiceDone)
	case stepContentKind:
		h.press("ct:text")
	case stepText:
		h.send("Hi")
	case stepTiming:
		h.press("tm:now")
	}
	h.wantStep(st)
}

func TestTypedTagsStayVisibleAndCanBeUnticked(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepAudience)
	h.press("aud:tags")
	rs := h.send("Nobody-Has-This")
	var found *Choice
	for i, c := range rs[0].Choices {
		if strings.HasPrefix(c.Label, "nobody-has-this (0)") {
			found = &rs[0].Choices[i]
		}
	}
	if found == nil || !found.Checked {
		t.Fatalf("typed tag not offered as ticked: %+v", rs[0].Choices)
	}
	mustContain(t, rs, "👥 0 recipients")
	mustContain(t, h.press(found.ID), "👥 10 recipients")
}

func TestCancelBeforeNamingSaysWhatWasCanceled(t *testing.T) {
	h := newHarness(t)
	h.send("/new")
	mustContain(t, h.press(choiceCancel), "Canceled the new broadcast. Nothing was saved.")
}
