package flows

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
	"github.com/heraldbot/herald/sequences"
)

// useSequences gives the harness the real sequences service over its
// store (the one open now) and builds the engine again with it.
func (h *harness) useSequences() {
	h.t.Helper()
	c := &h.cfg
	c.Sequences = sequences.New(sequences.Options{Store: h.store.(sequences.Store), Now: c.Now,
		Timing: schedule.StepTiming{Zones: schedule.NewZones(c.Location)}})
	h.newEngine()
}

func newSeqHarness(t *testing.T) *harness {
	h := newHarness(t)
	h.useSequences()
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
	h.wantStep(stepSeqFollowOn)
	h.press("sf:")
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
		h.useSequences()
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
	h.useSequences()
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

// With LINE's two accounts, a "new subscriber" sequence may welcome LINE ·
// Shop's followers only, picked by button or typed as audiences name it.
func TestFollowTriggerPicksAnAccount(t *testing.T) {
	h := newHarness(t)
	twoLINE(&h.cfg)
	h.useSequences()
	h.send("/sequence new")
	h.send("Shop welcome")
	h.press("sq:follow")
	var labels []string
	for _, c := range h.session().Offered {
		labels = append(labels, c.Label)
	}
	if want := []string{"🌐 Any channel", "LINE (any account)", "LINE · Shop", "Telegram", "Messenger", "⬅️ Back", "✖️ Cancel"}; !slices.Equal(labels, want) {
		t.Errorf("offered %q, want %q", labels, want)
	}
	mustContain(t, h.send("line:outlet"), "“line:outlet” is not a channel or account of this bot.")
	h.wantStep(stepSeqFollowOn)
	h.send("line:shop")
	h.wantStep(stepSeqDelay)
	if tr := h.session().Seq.Q.Trigger; tr.Channel != herald.LINE || tr.Account != "shop" {
		t.Fatalf("trigger %+v, want LINE · Shop", tr)
	}
	h.press("sd:0")
	h.send("Welcome to the shop!")
	h.press(choiceDone)
	h.press("sq:done")
	rs := h.send("-")
	mustContain(t, rs, "Starts with: 👋 a new subscriber on LINE · Shop")
}

// Many sequences, one of them of 20 steps, page so that each answer is one
// Telegram message (4,096) with its buttons within a Slack row (25).
func TestSequencesPageWithinPlatformLimits(t *testing.T) {
	h := newSeqHarness(t)
	for i := range 11 {
		q := herald.Sequence{Name: "Drip " + strconv.Itoa(i+1), Trigger: herald.Trigger{Kind: herald.TriggerEvent, Event: "e" + strconv.Itoa(i)}}
		steps := 2
		if i == 3 {
			steps = herald.MaxSequenceSteps
		}
		for range steps {
			q.Steps = append(q.Steps, herald.Step{Delay: 72 * time.Hour, At: "10:00", Content: herald.Content{Kind: herald.TextContent, Text: "Hi"}})
		}
		if err := h.cfg.Sequences.Create(context.Background(), "console:alice", &q); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for page := 1; ; page++ {
		rs := h.send("/sequences " + strconv.Itoa(page))
		if len(rs) != 1 {
			t.Fatalf("page %d: %d replies", page, len(rs))
		}
		r := rs[0]
		if n := len(utf16.Encode([]rune(r.Text))); n > 4096 || len(r.Choices) > 25 {
			t.Fatalf("page %d: %d characters, %d buttons", page, n, len(r.Choices))
		}
		for _, id := range seqID.FindAllString(r.Text, -1) {
			seen[id] = true
		}
		if !strings.Contains(r.Text, "🔁 Sequences (page "+strconv.Itoa(page)+" of ") {
			t.Fatalf("page %d title: %s", page, r.Text)
		}
		if !slices.ContainsFunc(r.Choices, func(c Choice) bool { return c.ID == "/sequences "+strconv.Itoa(page+1) }) {
			break
		}
		if page > 11 {
			t.Fatal("pages never end")
		}
	}
	if len(seen) != 11 {
		t.Errorf("the pages showed %d of 11 sequences", len(seen))
	}
	mustContain(t, h.send("/sequences 9"), "There is no page 9")
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
