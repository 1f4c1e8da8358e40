package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// An Undo pressed after the broadcast went out, or a /delete of a finished
// one, says it was sent and offers only what can still be done.
func TestUndoAfterTheRunSaysItWasSent(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	h.press("sum:confirm")
	id := h.stored().ID
	run := herald.Run{BroadcastID: id, Status: herald.RunSending, StartedAt: t0}
	if err := h.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpdateBroadcast(id, func(b *herald.Broadcast) error {
		b.Status = herald.StatusCompleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs := h.press("/undo " + id)
	mustContain(t, rs, id+" is completed and has already sent messages, so it can't be undone or deleted")
	if ids := choiceIDs(rs); contains(ids, "/cancel "+id) || !contains(ids, "/clone "+id) {
		t.Errorf("a completed broadcast's /delete offers %v; want Clone and no Cancel", ids)
	}
}

// Small untrue words: a plural for one minute, no quoted dash for a draft
// without a name, and a label on a clone's unset time.
func TestWordsForOneMinuteAnUnnamedDraftAndAnUnsetTime(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MinLeadTime = time.Minute })
	h.now = t0.Add(-30 * time.Second) // 08:59:30 in Taipei: 09:00 is 30 s ahead
	mustContain(t, h.send("/new \"Soon\" to everyone on line at 2026-11-23 09:00"), "at least 1 minute ahead")
	h.now = t0
	h.send("/new")
	rs := h.send("/new")
	mustContain(t, rs, "You're already making a broadcast (no name yet)")
	if strings.Contains(joined(rs), "“—”") {
		t.Errorf("an unnamed draft is quoted as a dash:\n%s", joined(rs))
	}
	h.user = "bob" // a session of his own
	a := h.scheduleOne("Alpha")
	mustContain(t, h.send("/clone "+a.ID), "⏰ When: — not set yet")
}

// A one-line /new with a long text is told what the wizard says, with the
// limit of the channels it names: Messenger's 2,000, Telegram's 4,096,
// LINE's 5,000.
func TestOneLineLongTextSaysEachChannelsLimit(t *testing.T) {
	h := newHarness(t)
	long := strings.Repeat("a", 5000)
	mustContain(t, h.send(`/new "`+long+`"`), "That's 5,000 characters; messages fit 2,000 on the channels you chose")
	mustContain(t, h.send(`/new "`+long+`" on telegram`), "That's 5,000 characters; messages fit 4,096")
	if rs := h.send(`/new "` + long + `" on line`); strings.Contains(joined(rs), "isn't complete") || strings.Contains(joined(rs), "characters") {
		t.Errorf("5,000 characters on LINE alone were refused:\n%s", joined(rs))
	}
	if h.step() != stepSummary {
		t.Errorf("5,000 characters on LINE stop at %q; want the summary", h.step())
	}
}

// /show of a finished broadcast says how many its run had; today's count
// comes from a button.
func TestShowFinishedSaysWhatTheRunHad(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	run := herald.Run{BroadcastID: a.ID, Status: herald.RunCompleted, StartedAt: t0, Total: 190,
		Tally: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 188, Failed: 2}}}
	if err := h.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpdateBroadcast(a.ID, func(b *herald.Broadcast) error {
		b.Status = herald.StatusCompleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rs := h.send("/show " + a.ID)
	mustContain(t, rs, "👥 Its run had 190 recipients — LINE 190")
	if !contains(choiceIDs(rs), "/show "+a.ID+" count") {
		t.Fatalf("/show of a finished broadcast offers %v; want Count now", choiceIDs(rs))
	}
	mustContain(t, h.press("/show "+a.ID+" count"), "Today: 👥 6 recipients")
}

// /log names a submit for approval in words, not its stored key.
func TestLogSaysSubmittedInWords(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ApprovalThreshold = 1 })
	h.walkTo("")
	h.press("sum:confirm")
	rs := h.send("/log " + h.stored().ID)
	mustContain(t, rs, "confirmed; waiting for approval")
	if strings.Contains(joined(rs), "broadcast.submit") {
		t.Errorf("/log shows a raw key:\n%s", joined(rs))
	}
}

// A command given something that is not a broadcast ID says so, rather
// than asking which broadcast as if nothing had been typed.
func TestCommandWithANonIDSaysItIsNotAnID(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send("/show B-1"), "“B-1” isn't a broadcast ID (IDs look like B-7K2Q). Check the ID with /list.")
	mustContain(t, h.send("/show"), "Which broadcast? Type /show followed by its ID")
	mustContain(t, h.send("/log B-ZZZZ"), "There's no broadcast B-ZZZZ.")
}

// The tag menus count each tag on the chosen channels, as the audience
// count beside them does, list the most common there first, and leave out
// tags nobody there has (a typed one stays, to be unticked).
func TestTagMenusCountOnTheChosenChannels(t *testing.T) {
	h := newHarness(t)
	h.send(`/new "Tags" on telegram, messenger`)
	h.press("ed:audience")
	if got := tagLabels(h.press("aud:tags")); !slices.Equal(got, []string{"churned (5)", "vip (2)"}) {
		t.Errorf("Telegram and Messenger's tag menu: %v; want churned (5), then vip (2)", got)
	}
	h.send("/cancel")
	h.press(choiceDiscard)
	h.send(`/new "Tags" on telegram`)
	h.press("ed:audience")
	if got := tagLabels(h.press("aud:tags")); !slices.Equal(got, []string{"churned (4)"}) {
		t.Errorf("Telegram's tag menu: %v; want only churned (4)", got)
	}
	if got := tagLabels(h.send("vip")); !slices.Equal(got, []string{"churned (4)", "vip (0)"}) {
		t.Errorf("Telegram's tag menu after typing vip: %v; want churned (4) and vip (0)", got)
	}
}

// tagLabels are the labels of the tag choices in rs.
func tagLabels(rs []Reply) []string {
	var labels []string
	for _, r := range rs {
		for _, c := range r.Choices {
			if strings.HasPrefix(c.ID, "t:") {
				labels = append(labels, c.Label)
			}
		}
	}
	return labels
}
