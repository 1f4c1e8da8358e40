package flows

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows/flowstest"
)

func TestRestartMidWizardResumesWithEverythingEntered(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepText)
	h.restart()
	h.wantStep(stepText)
	h.send("Back after a restart")
	h.press(choiceDone)
	h.press("tm:now")
	h.press("op:hold")
	rs := h.press("sum:confirm")
	mustContain(t, rs, "goes out to 6 recipients")
	b := h.stored()
	if b.Name != "Winter sale" || b.Content.Text != "Back after a restart" || len(b.Audience.Channels) != 2 {
		t.Errorf("after restart stored %q %q %v", b.Name, b.Content.Text, b.Audience.Channels)
	}
}

// A frontend coming back (the console at start) shows an open wizard at
// its step, so its buttons can be pressed again; with none open it says
// nothing.
func TestResumeShowsTheOpenStepOrNothing(t *testing.T) {
	h := newHarness(t)
	if rs := h.do(Input{Choice: ChoiceResume}); len(rs) != 0 {
		t.Fatalf("resume with no wizard open said %v", rs)
	}
	h.walkTo(stepText)
	h.restart()
	rs := h.do(Input{Choice: ChoiceResume})
	mustContain(t, rs, "Welcome back. Here is “Winter sale” where you left it", "Type the message.")
	h.wantStep(stepText)
	h.send("Back after a restart")
	h.wantStep(stepButtons)
}

func TestIdleSessionExpiresWithAMessage(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SessionTTL = 2 * time.Hour })
	h.walkTo(stepText)
	h.advance(2*time.Hour + time.Second)
	rs := h.send("Hello?")
	mustContain(t, rs, "You left “Winter sale” alone for more than 2 hours, so I closed it")
	if h.step() != "" {
		t.Errorf("expired session still at %q", h.step())
	}
	// Within the TTL nothing expires.
	h.walkTo(stepText)
	h.advance(time.Hour)
	h.send("Still here")
	h.wantStep(stepButtons)
}

// Two quick presses on a multi-select must both count.
func TestConcurrentPressesAreSerialised(t *testing.T) {
	h := newHarness(t)
	h.send("/new")
	h.send("Race")
	var wg sync.WaitGroup
	for _, p := range []string{"ch:line", "ch:telegram", "ch:messenger"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := Input{Frontend: "console", ChatID: "chat", UserID: "alice", Choice: p}
			if _, err := h.eng.Handle(context.Background(), in); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := h.session().Draft.Audience.Channels; len(got) != 3 {
		t.Errorf("channels after three concurrent presses = %v, want all three", got)
	}
}

func TestSessionsAreSeparatePerChatAndAdmin(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepText)
	h.user = "bob"
	mustContain(t, h.send("hello"), "Type /new")
	h.user = "alice"
	h.wantStep(stepText)
}

func TestOneLineNewJumpsToSummary(t *testing.T) {
	h := newHarness(t)
	rs := h.send(`/new "Flash sale today!" to tag:vip,-tag:churned on telegram,line at 2026-12-01 09:00 user-tz`)
	mustContain(t, rs, "Summary of “Flash sale today!”", "With any of the tags: vip", "Without tags: churned", "At 2026-12-01 09:00 in each person's own timezone", "👥 6 recipients")
	h.wantStep(stepSummary)
	h.press("sum:confirm")
	b := h.stored()
	if b.Schedule.Kind != herald.SendUserLocal || b.Schedule.Local != "2026-12-01 09:00" || len(b.Audience.ExcludeTags) != 1 {
		t.Errorf("stored %+v", b)
	}
	h.golden("oneline")
}

// The one-liner's "every" takes the wizard's end: "until DATE" or "N times".
func TestOneLineRecurringEnds(t *testing.T) {
	h := newHarness(t)
	src := `/new "News" on telegram every day 08:00 until someday`
	rs := h.send(src)
	mustContain(t, rs, "I couldn't read the end.")
	if want := src + "\n" + strings.Repeat(" ", strings.Index(src, "until")) + "^"; rs[0].Text != want {
		t.Errorf("caret:\n%s\nwant:\n%s", rs[0].Text, want)
	}
	mustContain(t, h.send(`/new "News" on telegram every monday 9am 3 times`), "every Monday at 09:00, 3 times in all")
	h.send("/cancel")
	h.press(choiceDiscard)
	mustContain(t, h.send(`/new "News" on telegram every monday 9am 3回`), "every Monday at 09:00, 3 times in all")
	h.send("/cancel")
	h.press(choiceDiscard)
	mustContain(t, h.send(`/new "News" to tag:vip on line every day 08:00 until 2027-01-10`), "Repeats every day at 08:00, until 2027-01-10")
	mustContain(t, h.press("sum:confirm"), "is scheduled")
	if b := h.stored(); b.Schedule.Until.IsZero() || b.Schedule.Until.In(h.cfg.Location).Format("2006-01-02") != "2027-01-10" {
		t.Errorf("stored schedule %+v, want until 2027-01-10", b.Schedule)
	}
}

func TestOneLineSyntaxErrorShowsCaretAndExample(t *testing.T) {
	h := newHarness(t)
	rs := h.send(`/new "Sale" to tag:vip onn line`)
	if len(rs) != 2 || !rs[0].Pre {
		t.Fatalf("want a preformatted caret line and an explanation, got %+v", rs)
	}
	src := `/new "Sale" to tag:vip onn line`
	want := src + "\n" + strings.Repeat(" ", strings.Index(src, "onn")) + "^"
	if rs[0].Text != want {
		t.Errorf("caret reply:\n%s\nwant:\n%s", rs[0].Text, want)
	}
	mustContain(t, rs[1:], "“onn” isn't a target I understand", "Example: /new \"Flash sale today!\"")
	if h.step() != "" {
		t.Errorf("a syntax error started a session at %q", h.step())
	}
	mustContain(t, h.send(`/new "Sale" at 2026-11-23 09:01`), "Too soon: at least 5 minutes ahead, e.g. 09:05.")
	// 12:00 has passed at UTC+14 already: not everyone could get it at noon.
	mustContain(t, h.send(`/new "Sale" at 2026-11-23 12:00 user-tz`), "comes first at UTC+14. Pick 2026-11-23 15:06 or later")
	mustContain(t, h.send(`/new "Sale" at 2026-11-24 12:00 user-tz`), "At 2026-11-24 12:00 in each person's own timezone")
}

func TestPermissions(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.Access = flowstest.Allowlist{Admins: []string{"console:alice", "console:bob"}, Approvers: []string{"console:bob"}}
		c.ApprovalThreshold = 5
	})
	h.user = "mallory"
	mustContain(t, h.send("/new"), "only Herald admins can do that")
	mustContain(t, h.send("/list"), "only Herald admins")
	if log, _ := h.store.AuditLog("", 10); len(log) < 2 || log[0].Action != "access.denied" || log[0].Actor != "console:mallory" {
		t.Errorf("denied attempts not audited: %+v", log)
	}
	if _, err := h.store.Admin("console:mallory"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("a refused user left an admin record (%v)", err)
	}

	// Two-person rule: 6 recipients > 5.
	h.user = "alice"
	h.walkTo("")
	mustContain(t, h.press("sum:confirm"), "another admin must approve it")
	b := h.stored()
	if b.Status != herald.StatusPending {
		t.Fatalf("status %s, want pending approval", b.Status)
	}
	mustContain(t, h.send("/approve "+b.ID), "You may not approve") // alice is no approver
	h.user = "bob"
	h.advance(10 * time.Minute)
	mustContain(t, h.send("/approve "+b.ID), "Approved")
	got := h.stored()
	if got.Status != herald.StatusScheduled || got.ApprovedBy != "console:bob" || !got.Schedule.At.Equal(h.clock().Add(time.Minute)) {
		t.Errorf("after approval: %s by %q at %v", got.Status, got.ApprovedBy, got.Schedule.At)
	}
}

func TestApproverCannotApproveOwnBroadcast(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ApprovalThreshold = 1 })
	h.walkTo("")
	h.press("sum:confirm")
	mustContain(t, h.send("/approve "+h.stored().ID), "a different admin has to approve it")
}

func TestEditFromSummaryReturnsToSummary(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	h.press("ed:audience")
	h.send("-tag:churned")
	h.press(choiceDone)
	h.wantStep(stepSummary)
	h.press("ed:channels")
	h.press("ch:messenger")
	h.press(choiceDone)
	// Messenger added: the category is asked before the summary.
	h.wantStep(stepCategory)
	h.press("cat:marketing")
	h.wantStep(stepSummary)
	h.press("ed:timing")
	h.press(choiceBack)
	h.wantStep(stepSummary)
	rs := h.press("sum:confirm")
	mustContain(t, rs, "7 recipients")
	if b := h.stored(); !b.Audience.HasChannel(herald.Messenger) || b.Category != herald.Marketing {
		t.Errorf("stored %+v", b.Audience)
	}
}

// The whole wizard and the common commands read right in every language:
// no raw keys, no template gaps (the harness checks every reply).
func TestEveryLanguageWalksTheWizard(t *testing.T) {
	for _, lang := range []string{"en", "zh-TW", "zh-CN", "ja"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.send("/lang " + lang)
			h.walkTo("")
			h.press("ed:audience")
			h.press("aud:act")
			h.press("act:within:7")
			h.send("attr:city=Taipei")
			h.press(choiceDone)
			h.press("sum:test")
			h.press("sum:confirm")
			id := h.stored().ID
			for _, cmd := range []string{"/list", "/show " + id, "/log " + id, "/errors " + id, "/pause " + id, "/help", "/audience tag:vip", "/find x", "/bogus", `/new "x" at 1999-01-01 09:00`} {
				h.send(cmd)
			}
		})
	}
}
