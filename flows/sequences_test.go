package flows

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/sequences"
)

// withSequences gives the harness the real sequences service over its store.
func withSequences(h *harness) func(*Config) {
	return func(c *Config) {
		c.Sequences = sequences.New(sequences.Options{Store: h.store.(sequences.Store), Now: c.Now,
			Timing: schedule.StepTiming{Zones: schedule.NewZones(c.Location)}})
	}
}

func newSeqHarness(t *testing.T) *harness {
	h := newHarness(t)
	withSequences(h)(&h.cfg)
	h.newEngine()
	return h
}

// onboardingStarted begins /sequence new "Onboarding", started by the
// tag trial, and stops at its first step's delay.
func (h *harness) onboardingStarted() {
	h.t.Helper()
	h.send("/sequence new")
	h.send("Onboarding")
	h.press("sq:tag")
	h.send("Trial")
	h.wantStep(stepSeqDelay)
}

var seqID = regexp.MustCompile(`Q-[2-9A-Z]{4}`)

// makeSequence walks /sequence new through two text steps and turns it on.
func (h *harness) makeSequence() string {
	h.t.Helper()
	h.send("/sequence new")
	h.wantStep(stepSeqName)
	h.send("Welcome series")
	h.press("sq:follow")
	h.wantStep(stepSeqDelay)
	h.press("sd:0")
	h.send("Hello {name|there}!")
	h.wantStep(stepButtons)
	h.press(choiceDone)
	h.wantStep(stepSeqStepDone)
	h.press("sq:add")
	rs := h.send("three days")
	mustContain(h.t, rs, "I couldn't read that delay")
	h.wantStep(stepSeqDelay)
	h.send("3d 10:00")
	h.send("Here is a tip.")
	h.press(choiceDone)
	h.press("sq:done")
	h.wantStep(stepSeqExit)
	rs = h.send("customer, VIP")
	mustContain(h.t, rs, "🔁 Sequence “Welcome series”", "Starts with: 👋 a new subscriber",
		"1. right away — Hello {name|there}!", "2. 3 days later at 10:00 their time — Here is a tip.", "Exit tags: customer, vip")
	rs = h.press("sq:on")
	mustContain(h.t, rs, "is on: everyone its trigger brings in")
	if h.step() != "" {
		h.t.Fatalf("the wizard is still at %q after turning the sequence on", h.step())
	}
	return seqID.FindString(joined(rs))
}

func TestSequenceWizardMakesListsPausesAndDeletes(t *testing.T) {
	h := newSeqHarness(t)
	id := h.makeSequence()
	q, err := h.cfg.Sequences.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	if q.Paused || q.Trigger.Kind != herald.TriggerFollow || len(q.Steps) != 2 || q.Steps[1].At != "10:00" ||
		q.Steps[1].Delay != 72*60*60*1e9 || strings.Join(q.ExitTags, ",") != "customer,vip" {
		t.Fatalf("saved %+v", q)
	}
	rs := h.send("/sequences")
	mustContain(t, rs, "▶️ "+id+" “Welcome series” — 👋 a new subscriber · 0 in it, 0 finished, 0 left",
		"  1. right away: 0 waiting · 0 sent · 0 failed · 0 tapped",
		"  2. 3 days later at 10:00 their time: 0 waiting")
	rs = h.press("/sequence pause " + id)
	mustContain(t, rs, "⏸ Paused "+id)
	mustContain(t, h.send("/sequences"), "⏸ "+id)
	mustContain(t, h.press("/sequence pause "+id), "was already paused")
	mustContain(t, h.press("/sequence resume "+id), "▶️ Resumed "+id)
	mustContain(t, h.press("/log "+id), "📜 "+id+" “Welcome series”", "Alice · resumed", "Alice · paused", "Alice · created")
	rs = h.press("/sequence delete " + id)
	mustContain(t, rs, "Delete the sequence "+id)
	if _, err := h.cfg.Sequences.Get(id); err != nil {
		t.Fatal("asking to delete deleted it")
	}
	mustContain(t, h.press("/sequence delete "+id+" yes"), "🗑 Deleted the sequence "+id)
	mustContain(t, h.send("/sequences"), "No sequences yet.")
	log, err := h.store.AuditLog(id, 10)
	if err != nil || len(log) != 4 || log[0].Action != "sequence.delete" || log[0].Actor != "console:alice" {
		t.Fatalf("audit %+v %v", log, err)
	}
}

func TestSequenceEditChangesAStepFromItsSummary(t *testing.T) {
	h := newSeqHarness(t)
	id := h.makeSequence()
	h.send("/sequence edit " + strings.ToLower(id))
	h.wantStep(stepSeqSummary)
	h.press("sq:e:1")
	h.press("sd:1d")
	h.send("A new tip.")
	h.press(choiceDone)
	h.wantStep(stepSeqSummary)
	h.press("sq:e:drop")
	h.press("sq:e:name")
	rs := h.send("Welcome, shorter")
	mustContain(t, rs, "🔁 Sequence “Welcome, shorter”", "1. right away")
	if strings.Contains(joined(rs), "2. ") {
		t.Errorf("the removed step is still shown:\n%s", joined(rs))
	}
	mustContain(t, h.press("sq:save"), "Saved your changes to "+id)
	q, err := h.cfg.Sequences.Get(id)
	if err != nil || q.Name != "Welcome, shorter" || len(q.Steps) != 1 {
		t.Fatalf("after editing: %+v %v", q, err)
	}
}

func TestSequencesSpeakEachLanguage(t *testing.T) {
	inEachLang(t, map[string]string{"en": "No sequences yet.", "ja": "シーケンスはまだありません。",
		"zh-CN": "还没有序列。", "zh-TW": "還沒有序列。"}, func(t *testing.T, h *harness, want string) {
		withSequences(h)(&h.cfg)
		h.newEngine()
		mustContain(t, h.send("/sequences"), want)
		h.send("/sequence new")
		h.send("Drip")
		h.press("sq:event")
		h.send("Cart Abandoned")
		h.wantStep(stepSeqTrigWhat) // refused: not an event name
		h.send("cart_abandoned")
		h.wantStep(stepSeqDelay)
		h.press("sd:1d")
		h.send("Still thinking about it?")
		h.press(choiceDone)
		h.press("sq:done")
		h.press(choiceSkip)
		h.press("sq:off")
		mustContain(t, h.send("/sequences"), "⏸ Q-")
	})
}

func TestASequenceInTheMakingSurvivesARestart(t *testing.T) {
	h := newSeqHarness(t)
	h.onboardingStarted()
	h.restart()
	withSequences(h)(&h.cfg)
	h.newEngine()
	rs := h.do(Input{Choice: ChoiceResume})
	mustContain(t, rs, "Your sequence “Onboarding” is still waiting where you left it.", "Step 1: how long after the person enters")
	h.press("sd:0")
	h.send("Welcome to your trial")
	h.press(choiceDone)
	h.press("sq:done")
	h.press(choiceSkip)
	rs = h.press("sq:on")
	q, err := h.cfg.Sequences.Get(seqID.FindString(joined(rs)))
	if err != nil || q.Trigger.Tag != "trial" || q.Steps[0].Content.Text != "Welcome to your trial" {
		t.Fatalf("saved %+v %v", q, err)
	}
}

// A tap trigger takes a broadcast someone can tap: one with only a link
// (or no buttons) is refused with why, and what is stored is kept.
func TestSequenceTapTriggerNeedsAnActionButton(t *testing.T) {
	h := newSeqHarness(t)
	sale := h.saleSent()
	links := herald.Broadcast{Name: "Links only", Status: herald.StatusCompleted,
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}},
		Content: herald.Content{Kind: herald.TextContent, Text: "See", Buttons: []herald.Button{
			{ID: "b1", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example"}}}}
	if err := h.store.CreateBroadcast(&links); err != nil {
		t.Fatal(err)
	}
	h.send("/sequence new")
	h.send("After the sale")
	h.press("sq:tap")
	mustContain(t, h.send("B-NONE"), "There's no broadcast B-NONE.")
	mustContain(t, h.send(links.ID), "“Links only” ("+links.ID+") has no action buttons, so nobody can tap into the sequence")
	h.wantStep(stepSeqTrigWhat)
	h.send(sale.ID)
	h.wantStep(stepSeqDelay)
	h.press("sd:1d")
	h.send("Still interested?")
	h.press(choiceDone)
	h.press("sq:done")
	mustContain(t, h.press(choiceSkip), "a tap on a button of “Sale” ("+sale.ID+")")
	h.press("sq:on")
	rs := h.send("/sequences")
	id := seqID.FindString(joined(rs))
	mustContain(t, rs, "a tap on a button of “Sale” ("+sale.ID+")")
	if !h.offered("/log "+id) || !slices.ContainsFunc(rs[len(rs)-1].Choices, func(c Choice) bool { return c.Label == "📜 Log of "+id }) {
		t.Errorf("/sequences' log button does not name %s: %+v", id, rs[len(rs)-1].Choices)
	}
}

// Passing through ✏️ Exit tags of an edit keeps the tags set; taking them
// off is a button of its own.
func TestSequenceEditKeepsExitTagsUnlessTakenOff(t *testing.T) {
	h := newSeqHarness(t)
	id := h.makeSequence()
	exitTags := func() []string {
		t.Helper()
		q, err := h.cfg.Sequences.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		return q.ExitTags
	}
	want := exitTags()
	if len(want) == 0 {
		t.Fatal("makeSequence set no exit tags")
	}
	h.send("/sequence edit " + id)
	mustContain(t, h.press("sq:e:exit"), "Now: "+strings.Join(want, ", "))
	h.press(choiceSkip)
	h.press("sq:save")
	if got := exitTags(); !slices.Equal(got, want) {
		t.Errorf("going on from ✏️ Exit tags left %v, want %v kept", got, want)
	}
	h.send("/sequence edit " + id)
	h.press("sq:e:exit")
	h.press("sq:noexit")
	h.press("sq:save")
	if got := exitTags(); len(got) != 0 {
		t.Errorf("🚫 No exit tags left %v", got)
	}
}

// Changing only a step's delay keeps its message: the message step shows
// it and offers to keep it.
func TestSequenceStepEditKeepsTheMessage(t *testing.T) {
	h := newSeqHarness(t)
	id := h.makeSequence()
	h.send("/sequence edit " + id)
	h.press("sq:e:1")
	rs := h.press("sd:1d")
	mustContain(t, rs, "Here is a tip.")
	if !h.offered("sq:keepmsg") {
		t.Fatalf("no way to keep step 2's message: %v", h.offeredIDs())
	}
	h.press("sq:keepmsg")
	h.wantStep(stepSeqSummary)
	h.press("sq:save")
	q, err := h.cfg.Sequences.Get(id)
	if err != nil || q.Steps[1].Delay != 24*time.Hour || q.Steps[1].Content.Text != "Here is a tip." {
		t.Fatalf("step 2 after changing its delay: %+v %v", q.Steps[1], err)
	}
}

// A step of pictures alone says so in the sequence's summary, and the
// exit tags are listed with the admin's language's comma.
func TestSequenceSummaryShowsAPictureStepAndTagsInJapanese(t *testing.T) {
	h := newSeqHarness(t)
	id := h.makeSequence()
	if _, err := h.cfg.Sequences.Update(context.Background(), "test", id, func(q *herald.Sequence) error {
		q.Steps[1].Content = herald.Content{Kind: herald.ImageContent, Images: []herald.Image{{URL: "https://cdn.example.com/tip.jpg"}}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h.send("/lang ja")
	mustContain(t, h.send("/sequence edit "+id), "2. 3日後の 10:00（相手の時刻） — 🖼 画像", "customer、vip")
}

// Cancel asks before it throws away a sequence being made; Keep going
// goes back to the step it was at, with nothing lost.
func TestCancelAsksBeforeThrowingASequenceAway(t *testing.T) {
	h := newSeqHarness(t)
	h.onboardingStarted()
	mustContain(t, h.press(choiceCancel), "Throw away “Onboarding”? What you entered so far will be lost.")
	h.press("wiz:again")
	h.wantStep(stepSeqDelay)
	if q := h.session().Seq.Q; q.Name != "Onboarding" || q.Trigger.Tag != "trial" {
		t.Errorf("after Keep going the sequence is %+v", q)
	}
	h.press(choiceCancel)
	mustContain(t, h.press(choiceDiscard), "Canceled the sequence “Onboarding”. Nothing was saved.")
}
