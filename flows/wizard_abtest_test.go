package flows

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// The summary's "🆎 A/B test": variant B's text, then the share and the
// wait (a button or typed), mistakes pointed at; the summary shows the
// test, and its count is the whole audience with the split (not variant
// A's share, which the draft's sample is); the confirmation names the
// variants' people and the rest; the stored test has both variants, B
// with A's buttons.
func TestWizardABTest(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Which is better?" on telegram now`)
	mustContain(t, h.press("sum:ab"), "Type variant B's text")
	mustContain(t, h.send("Or is *this* better?"), "What share of the audience does each of the 2 variants get")
	mustContain(t, h.send("60% 1h"), "more than 0% and, with 2 variants, less than 50%")
	mustContain(t, h.send("0% 1h"), "Give each variant more than 0%")
	mustContain(t, h.send("10% 0m"), "The wait is at least 1 minute")
	mustContain(t, h.send("soon"), "I couldn't read that")
	mustContain(t, h.send("10% 2h"), "A/B test: 2 variants, about 10% of the audience each; the winner goes to the rest 2 h after they go out",
		"B · Or is *this* better?", "👥 204 recipients in all — 🆎 A 10% ≈ 18 · B 10% ≈ 17 now, the rest ≈ 169 get the winner after 2 h")
	mustContain(t, h.press("sum:ab"), "Type variant C's text")
	if !h.offered("ab:off") {
		t.Error("no way to take the test off")
	}
	mustContain(t, h.send("Third try"), "each of the 3 variants")
	mustContain(t, h.press("abs:20% 24h"), "3 variants, about 20% of the audience each", "C · Third try")
	h.press("ed:buttons")
	h.press("btn:url")
	h.send("Yes")
	h.send("https://shop.example.com/yes")
	mustContain(t, h.press(choiceDone), "C · Third try")
	mustContain(t, h.press("sum:confirm"), "goes out to 118 recipients", "The 3 variants go out to 118 people first; the rest, ≈ 86, get the winner 24 h later.")
	h.golden("wizard_abtest")

	b := h.stored()
	test := b.Test
	if test == nil || test.N() != 3 || test.Percent != 20 || test.Wait != 24*time.Hour || test.Seed != 7 {
		t.Fatalf("stored test %+v", test)
	}
	if test.Variants[0].Text != "Or is this better?" || len(test.Variants[0].Spans) == 0 {
		t.Errorf("variant B %+v, want the formatted text", test.Variants[0])
	}
	if len(test.Variants[1].Buttons) != 1 || test.Variants[1].Buttons[0].Label != "Yes" {
		t.Errorf("variant C's buttons %+v, want A's button added after the test was set", test.Variants[1].Buttons)
	}
	if s := b.Audience.Sample; s == nil || *s != *test.Band(1) {
		t.Errorf("stored sample %+v, want variant A's band", s)
	}
}

// abDraft makes a test of text on Telegram, sent now, with b as variant
// B, 10% each, decided after 2 hours, and stops at the summary.
func abDraft(h *harness, text, b string) {
	h.t.Helper()
	h.send(`/new "` + text + `" on telegram now`)
	h.press("sum:ab")
	h.send(b)
	h.send("10% 2h")
}

// "No A/B test" takes the test and its sample off; a repeating broadcast
// is not offered one.
func TestWizardABTestOff(t *testing.T) {
	h := sampleHarness(t)
	abDraft(h, "Hi", "Hello")
	h.press("sum:ab")
	out := h.press("ab:off")
	if d := h.session().Draft; d.Test != nil || d.Audience.Sample != nil {
		t.Errorf("after No A/B test: test %+v, sample %+v", d.Test, d.Audience.Sample)
	}
	if strings.Contains(joined(out), "A/B test:") {
		t.Errorf("the summary still shows a test:\n%s", joined(out))
	}
	mustContain(t, h.press("sum:ab"), "Type variant B's text")
	h.send("/cancel")
	h.press("wiz:discard")
	h.send(`/new "Weekly" on telegram every monday 09:00`)
	if d := h.session().Draft; d.Schedule.Kind != herald.SendRecurring {
		t.Fatalf("schedule %+v", d.Schedule)
	}
	if h.offered("sum:ab") {
		t.Error("a repeating broadcast is offered an A/B test")
	}
}

// /pick sends a variant of a test whose variants went out to the rest,
// once; a wrong letter, a broadcast that is no test and a test not sent
// yet are told.
func TestPickVariant(t *testing.T) {
	h := sampleHarness(t)
	abDraft(h, "Which is better?", "Or this?")
	h.press("sum:confirm")
	b := h.stored()
	mustContain(t, h.send("/pick "+b.ID+" B"), "variants haven't gone out yet")
	if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Test.Children = []string{"B-VARBBB"} // as the scheduler's start leaves it
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs := h.send("/show " + b.ID)
	mustContain(t, rs, "the variants side by side:", "A ("+b.ID+"): 0 delivered", "B (B-VARBBB): 0 delivered")
	if !contains(choiceIDs(rs), "/pick "+b.ID+" B") {
		t.Error("/show of a test waiting for its winner offers no pick")
	}
	rs = h.send("/pick " + b.ID + " C")
	mustContain(t, rs, "Which variant? “Which is better?” ("+b.ID+") has variants A, B: press one, or write its letter after the ID")
	if ids := choiceIDs(rs); !contains(ids, "/pick "+b.ID+" A") || !contains(ids, "/pick "+b.ID+" B") || contains(ids, "/pick "+b.ID+" C") {
		t.Errorf("/pick of a letter the test lacks offers %v; want A and B", ids)
	}
	mustContain(t, h.send("/pick "+b.ID+" b"), "B goes to the rest of “Which is better?” now.")
	mustContain(t, h.send("/pick "+b.ID+" A"), "winner was picked already: B.")
	test, _ := h.store.Broadcast(b.ID)
	rest, err := h.store.Broadcast(test.Test.Rest)
	if err != nil {
		t.Fatal(err)
	}
	if rest.ABPart == nil || !rest.ABPart.Rest || rest.Content.Text != "Or this?" || rest.Audience.Sample != nil {
		t.Errorf("the rest %+v (part %+v, sample %+v), want B to the audience without a sample (the variants' recipients are left out when it goes)", rest, rest.ABPart, rest.Audience.Sample)
	}
	h.send(`/new "Plain" on telegram now`)
	h.press("sum:confirm")
	var plain herald.Broadcast
	for _, x := range h.mustList() {
		if x.Name == "Plain" {
			plain = x
		}
	}
	mustContain(t, h.send("/pick "+plain.ID+" A"), plain.ID+" is not an A/B test.")
}

// The decision as the test's chat reads it: the variants side by side,
// and a button per variant when nobody tapped.
func TestABReply(t *testing.T) {
	h := newHarness(t)
	loc := h.cfg.Catalog.Localizer("en")
	e := herald.ABDecided{Test: herald.Broadcast{ID: "B-TEST", Name: "Sale", Test: &herald.ABTest{Variants: make([]herald.Content, 1)}},
		Results: []herald.VariantResult{{BroadcastID: "B-TEST", Delivered: 40}, {BroadcastID: "B-VARB", Delivered: 38}}}
	r := ABReply(loc, &e)
	for _, want := range []string{"A/B test “Sale” (B-TEST), the variants side by side:",
		"A (B-TEST): 40 delivered · 0 tapped or clicked (0%)", "B (B-VARB): 38 delivered", "Nobody tapped"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, r.Text)
		}
	}
	if len(r.Choices) != 2 || r.Choices[1].ID != "/pick B-TEST B" {
		t.Errorf("choices %+v, want one pick per variant", r.Choices)
	}
	e.Results[1].Responded, e.Winner, e.By, e.Rest = 3, 2, "system", herald.Broadcast{ID: "B-REST"}
	r = ABReply(loc, &e)
	for _, want := range []string{"B (B-VARB): 38 delivered · 3 tapped or clicked (7.9%) 🏆", "B did best: it goes to the rest now (B-REST)."} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("reply lacks %q:\n%s", want, r.Text)
		}
	}
}

// /cancel of a test whose variants went out calls off the rest; a pick
// after it says so.
func TestCancelWaitingTest(t *testing.T) {
	h := sampleHarness(t)
	abDraft(h, "Which is better?", "Or this?")
	h.press("sum:confirm")
	b := h.stored()
	for _, st := range []herald.Status{herald.StatusSending, herald.StatusCompleted} {
		if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			x.Status, x.Test.Children = st, []string{"B-VARBBB"}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	mustContain(t, h.send("/cancel "+b.ID), b.ID)
	mustContain(t, h.send("/pick "+b.ID+" A"), "was canceled while it waited for its winner: nothing goes to the rest.")
	if got, _ := h.store.Broadcast(b.ID); !got.Test.Done || got.Test.Rest != "" {
		t.Errorf("test after /cancel %+v", got.Test)
	}
}

// The summary's count of a test is its real counts: the whole audience
// counted without a sample, each variant's band counted with its own
// sample, and the rest the whole less the variants; the confirmation
// names the variants together.
func TestABCountsAreTheWholeAudienceAndEachBand(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Which is better?" on telegram now`)
	h.press("sum:ab")
	h.send("Or this?")
	h.send("15% 1h")
	h.press("sum:ab")
	h.send("Or that?")
	rs := h.send("15% 1h")
	d := h.session().Draft
	count := func(s *herald.Sample) int {
		t.Helper()
		a := d.Audience
		a.Sample = s
		c, err := h.store.Count(&a, herald.Marketing, t0)
		if err != nil {
			t.Fatal(err)
		}
		return c.Total
	}
	all, now := count(nil), 0
	var parts []string
	for i := range 3 {
		n := count(d.Test.Band(i + 1))
		now += n
		parts = append(parts, fmt.Sprintf("%s 15%% ≈ %d", herald.VariantLetter(i+1), n))
	}
	if all != 204 || now == 0 || now == all || count(variantsSample(d.Test)) != now {
		t.Fatalf("whole %d, variants %d, together %d: the bands should split the audience",
			all, now, count(variantsSample(d.Test)))
	}
	mustContain(t, rs, fmt.Sprintf("👥 %d recipients in all — 🆎 %s now, the rest ≈ %d get the winner after 1 h", all, strings.Join(parts, " · "), all-now))
	h.send("/lang ja")
	mustContain(t, h.do(Input{Choice: "wiz:again"}), fmt.Sprintf("👥 全体で %d 人 — 🆎 A 15%% ≈ ", all), fmt.Sprintf("残りの約 %d 人には 1時間後に勝者", all-now))
	h.send("/lang en")
	h.do(Input{Choice: "wiz:again"})
	mustContain(t, h.press("sum:confirm"), fmt.Sprintf("goes out to %d recipients", now),
		fmt.Sprintf("The 3 variants go out to %d people first; the rest, ≈ %d, get the winner 1 h later.", now, all-now))
}

// While a test is set, the audience's sample is the test's: "🎲 Sample or
// cap" says so instead of letting a sample be set that the confirm would
// replace with variant A's band.
func TestSampleIsRefusedWhileATestIsSet(t *testing.T) {
	h := sampleHarness(t)
	abDraft(h, "Which is better?", "Or this?")
	h.press("ed:audience")
	mustContain(t, h.press("aud:sample"), "An A/B test draws its own samples; remove the test (🆎 A/B test → 🚫 No A/B test) to use a sample.")
	if h.offered("smp:10%") {
		t.Error("the sample step opened while a test is set")
	}
	h.press(choiceDone)
	h.press("sum:ab")
	h.press("ab:off")
	h.press("ed:audience")
	h.press("aud:sample")
	if !h.offered("smp:10%") {
		t.Error("no sample step once the test is off")
	}
}

// What approvers are asked and /show count a test as the summary does:
// the whole audience and its split, not variant A's band alone.
func TestABApprovalCardAndShowCountTheSplit(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Which is better?" on telegram now`)
	h.press("sum:ab")
	h.send("Or this?")
	var split string
	for _, l := range strings.Split(joined(h.send("10% 2h")), "\n") {
		if strings.HasPrefix(l, "👥 ") && strings.Contains(l, "🆎 A 10% ≈ ") {
			split = l
		}
	}
	if split == "" {
		t.Fatal("no split line in the summary")
	}
	h.press("sum:draft")
	b := h.stored()
	cnt, err := h.store.Count(&b.Audience, herald.Marketing, t0)
	if err != nil {
		t.Fatal(err)
	}
	band := fmt.Sprintf("👥 %d recipient", cnt.Total) // variant A's band as the count line said it
	show := h.send("/show " + b.ID)
	req := []Reply{h.eng.ApprovalRequest(b, cnt, herald.Origin{Frontend: "console", ChatID: "chat", UserID: "alice", UserName: "Alice"})}
	for name, rs := range map[string][]Reply{"/show": show, "approval request": req} {
		mustContain(t, rs, split)
		if strings.Contains(joined(rs), band+" —") || strings.Contains(joined(rs), band+"s —") {
			t.Errorf("%s counts variant A's band (%d):\n%s", name, cnt.Total, joined(rs))
		}
	}
}
