package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// walkToSummary answers every step of /new with sensible values: text,
// LINE + Telegram, people, tag vip, no buttons, send now, hold.
func (h *harness) walkTo(stop string) {
	h.t.Helper()
	answers := []struct {
		step string
		act  func()
	}{
		{"start", func() { h.send("/new"); h.wantStep(stepName) }},
		{stepName, func() { h.send("Winter sale") }},
		{stepChannels, func() { h.press("ch:line"); h.press("ch:telegram"); h.press(choiceDone) }},
		{stepAudience, func() { h.send("tag:vip") }},
		{stepAudience + "+", func() { h.press(choiceDone) }},
		{stepContentKind, func() { h.press("ct:text") }},
		{stepText, func() { h.send("Hi {name|there}, 20% off today!") }},
		{stepButtons, func() { h.press(choiceDone) }},
		{stepTiming, func() { h.press("tm:now") }},
		{stepOperator, func() { h.press("op:hold") }},
	}
	for _, a := range answers {
		if a.step == stop {
			return
		}
		a.act()
	}
	h.wantStep(stepSummary)
}

func TestWizardTextSentNow(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepAudience)
	h.press("aud:tags")
	rs := h.press("t:0") // "vip", the most used tag
	if !rs[0].Multi || !rs[0].Edit {
		t.Errorf("toggling a tag should redraw the multi-select in place: %+v", rs[0])
	}
	h.press(choiceDone)
	mustContain(t, h.press("aud:excl"), "Leave out")
	h.press(choiceBack)
	h.press(choiceDone)
	h.press("ct:text")
	mustContain(t, h.send("Hi {name|there}, 20% off today!"), "Preview: Hi User U000, 20% off today!")
	h.press("btn:url")
	h.send("Shop now")
	h.send("https://shop.example.com/winter")
	h.press(choiceDone)
	h.press("tm:now")
	h.press("op:hold")
	rs = h.press("sum:confirm")
	mustContain(t, rs, "goes out to 6 recipients in 60 seconds")
	h.golden("wizard_text_now")

	b := h.stored()
	if b.Status != herald.StatusScheduled || b.Schedule.Kind != herald.SendNow || !b.Schedule.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("stored %s %s at %v; want scheduled, now, at %v", b.Status, b.Schedule.Kind, b.Schedule.At, t0.Add(time.Minute))
	}
	if !slices.Equal(b.Audience.Channels, []herald.Platform{herald.LINE, herald.Telegram}) || !slices.Equal(b.Audience.IncludeTags, []string{"vip"}) {
		t.Errorf("audience = %+v", b.Audience)
	}
	if len(b.Content.Buttons) != 1 || b.Content.Buttons[0].URL != "https://shop.example.com/winter" || b.Content.Buttons[0].ID == "" {
		t.Errorf("buttons = %+v", b.Content.Buttons)
	}
	if b.CreatedBy != "console:alice" || b.Origin.ChatID != "chat" {
		t.Errorf("origin %+v created by %q", b.Origin, b.CreatedBy)
	}
	if h.step() != "" {
		t.Errorf("session still at %q after confirming", h.step())
	}
	log, err := h.store.AuditLog(b.ID, 10)
	if err != nil || len(log) == 0 || log[0].Action != "broadcast.scheduled" {
		t.Errorf("audit log = %+v, %v; want broadcast.scheduled", log, err)
	}
}

func TestWizardImagesAtATime(t *testing.T) {
	h := newHarness(t)
	// a Telegram user in an operator chat: the wizard asks what to do with it
	sub := herald.Subscriber{Platform: herald.Telegram, ID: "1000", Kind: herald.KindUser, State: herald.Subscribed, OperatorChat: true, LastInteraction: t0.Add(-60 * 24 * time.Hour)}
	sub.SetTags([]string{"churned"})
	if err := h.store.PutSubscribers([]herald.Subscriber{sub}); err != nil {
		t.Fatal(err)
	}
	h.send("/new")
	h.send("Photo drop")
	h.press("ch:telegram")
	h.press(choiceDone)
	h.press("rk:both")
	h.press(choiceDone)
	h.press("ct:images")
	mustContain(t, h.upload("notes.txt", "text/plain", []byte("hello")), "isn't an image")
	h.upload("a.png", "image/png", []byte("\x89PNG fake"))
	mustContain(t, h.send("https://cdn.example.com/b.jpg"), "2 images added")
	h.press(choiceDone)
	h.send("New arrivals")
	h.press(choiceDone)
	h.press("tm:at")
	mustContain(t, h.send("2026-11-23 09:03"), "Too soon: at least 5 minutes ahead, e.g. 09:05.") // 01:03 UTC: 3 minutes ahead
	h.send("2026-11-24 09:00")
	h.press("op:end")
	mustContain(t, h.press("sum:confirm"), "is scheduled for 5 recipients", "2026-11-24 09:00 (Asia/Taipei)")
	h.golden("wizard_images_at")

	b := h.stored()
	if want := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC); b.Schedule.Kind != herald.SendAt || !b.Schedule.At.Equal(want) {
		t.Errorf("schedule = %+v, want at %v", b.Schedule, want)
	}
	if len(b.Content.Images) != 2 || b.Content.Images[0].MediaID == "" || b.Content.Images[1].URL == "" || b.Content.Text != "New arrivals" {
		t.Errorf("content = %+v", b.Content)
	}
	if !b.EndOperatorChats || b.Audience.Recipients != herald.Both {
		t.Errorf("end chats %v, recipients %s", b.EndOperatorChats, b.Audience.Recipients)
	}
}

func TestWizardCardRecurringOnMessenger(t *testing.T) {
	h := newHarness(t)
	h.send("/new")
	h.send("Weekly digest")
	h.press("ch:messenger")
	h.press(choiceDone) // Messenger has no groups: recipients are skipped
	h.wantStep(stepAudience)
	h.press(choiceDone)
	h.press("ct:card")
	h.send("This week")
	h.send("https://cdn.example.com/card.jpg")
	h.press(choiceSkip)
	h.press("btn:action")
	h.send("Interested")
	h.send("tag:interested, -tag:cold")
	mustContain(t, h.press(choiceDone), "Messenger category")
	h.press("cat:non")
	h.press("mt:2")
	h.press("tm:every")
	mustContain(t, h.send("friday 17:30"), "every Friday at 17:30", "Next: 2026-11-27 17:30 (Asia/Taipei); 2026-12-04 17:30")
	h.press("sum:confirm")
	h.golden("wizard_card_recurring")

	b := h.stored()
	if b.Schedule.Cron != "CRON_TZ=Asia/Taipei 30 17 * * 5" || b.Category != herald.NonMarketing || b.Tag != herald.TagAccountUpdate {
		t.Errorf("schedule %q category %s tag %s", b.Schedule.Cron, b.Category, b.Tag)
	}
	bt := b.Content.Buttons
	if b.Content.Kind != herald.CardContent || b.Content.Title != "This week" || len(bt) != 1 || !slices.Equal(bt[0].RemoveTags, []string{"cold"}) || !slices.Equal(bt[0].AddTags, []string{"interested"}) {
		t.Errorf("content = %+v", b.Content)
	}
}

func TestWizardUserLocalTime(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepTiming)
	h.press("tm:user")
	h.send("tomorrow 09:00")
	h.press("op:hold")
	mustContain(t, h.press("sum:confirm"), "scheduled")
	if s := h.stored().Schedule; s.Kind != herald.SendUserLocal || s.Local != "2026-11-24 09:00" {
		t.Errorf("schedule = %+v", s)
	}
}

func TestSaveAsDraftThenEdit(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	mustContain(t, h.press("sum:draft"), "as draft")
	b := h.stored()
	if b.Status != herald.StatusDraft {
		t.Fatalf("status %s, want draft", b.Status)
	}
	mustContain(t, h.send("/edit "+b.ID), "Summary of “Winter sale”")
	h.press("ed:name")
	h.send("Winter sale v2")
	h.wantStep(stepSummary)
	h.press("sum:confirm")
	if got := h.stored(); got.ID != b.ID || got.Name != "Winter sale v2" || got.Status != herald.StatusScheduled {
		t.Errorf("after edit: %s %q %s", got.ID, got.Name, got.Status)
	}
}

// A Japanese admin types the time at the timing step itself ("明日 9:00"
// answers "at a time"), and every line the wizard builds from parts reads
// as Japanese: no half-width ";", "," or space between sentences.
func TestWizardJapaneseTypedTimeAndPunctuation(t *testing.T) {
	h := newHarness(t)
	h.send("/lang ja")
	h.walkTo(stepButtons)
	mustContain(t, h.do(Input{Choice: "wiz:again"}), "記録されます。リンクのクリック")
	h.press(choiceDone)
	h.wantStep(stepTiming)
	h.send("明日 9:00")
	if h.step() == stepOperator {
		h.press("op:hold")
	}
	h.wantStep(stepSummary)
	if want := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC); h.session().Draft.Schedule.Kind != herald.SendAt || !h.session().Draft.Schedule.At.Equal(want) {
		t.Errorf("schedule = %+v, want at %v", h.session().Draft.Schedule, want)
	}
	h.press("ed:timing")
	h.press("tm:every")
	h.send("毎週金曜日 17:30 10回") // as the question says; "10 times" reads too
	rs := h.press("op:hold")
	mustContain(t, rs, "、全 10 回", "（Asia/Taipei）；2026-12-04")
	for _, half := range []string{"; ", ", 全", "。 "} {
		if s := joined(rs); strings.Contains(s, half) {
			t.Errorf("half-width %q in the Japanese summary:\n%s", half, s)
		}
	}
	h.golden("wizard_ja_typed_time")
}

// The timing step takes a typed date in English too, and Back from the
// time it answered returns to the timing step.
func TestWizardTimingStepTakesATypedDate(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepTiming)
	h.send("tomorrow 9am")
	h.wantStep(stepOperator)
	if want := time.Date(2026, 11, 24, 1, 0, 0, 0, time.UTC); !h.session().Draft.Schedule.At.Equal(want) {
		t.Errorf("schedule = %+v, want at %v", h.session().Draft.Schedule, want)
	}
	h.press(choiceBack)
	h.wantStep(stepAt)
	h.press(choiceBack)
	h.wantStep(stepTiming)
	mustContain(t, h.send("soon please"), "Please press one of the buttons")
}

// /lang in the middle of the wizard asks the step again in the new
// language, its buttons live, instead of a lone Continue.
func TestLangMidWizardRedrawsTheStep(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepTiming)
	rs := h.send("/lang zh-TW")
	mustContain(t, rs, "好的，之後我會用繁體中文和你對話。", "步驟 6 · 要什麼時候發送？")
	if !h.offered("tm:at") {
		t.Errorf("after /lang the timing step's buttons are not offered: %v", h.offeredIDs())
	}
	mustContain(t, h.send("/lang nope"), "nope", "還停在剛才的步驟等你") // refused: nothing to redraw
}
