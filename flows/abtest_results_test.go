package flows

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// /show of a finished holdout repeats its control group as the report
// counted it (from the run that sent it, not a later retry's).
func TestShowOfAFinishedHoldoutCountsTheControlGroup(t *testing.T) {
	h := sampleHarness(t)
	h.send(`/new "Hi" on telegram holdout 10% now`)
	h.press("sum:confirm")
	b := h.stored()
	sent := herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted, StartedAt: t0.Add(time.Minute), Control: 21, Total: 179,
		Tally: map[herald.Platform]herald.Tally{herald.Telegram: {Sent: 178, Failed: 1}}}
	if err := h.store.CreateRun(&sent); err != nil {
		t.Fatal(err)
	}
	retry := herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted, StartedAt: t0.Add(time.Hour), RetryOf: sent.ID,
		Tally: map[herald.Platform]herald.Tally{herald.Telegram: {Sent: 1}}}
	if err := h.store.CreateRun(&retry); err != nil {
		t.Fatal(err)
	}
	if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.Status = herald.StatusCompleted
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.send("/show "+b.ID), "👥 Its run had 179 recipients — Telegram 179", "🎲 Control group: 10% = 21 people, not sent")
	h.send("/lang ja")
	mustContain(t, h.send("/show "+b.ID), "🎲 対照群：10% = 21 人（配信していません）")
}

// /show of a test whose variants went out says, under the variants side
// by side, when the winner is picked; then that nobody tapped and an
// admin picks (with a button per variant); then the winner, how it was
// picked and the rest it went to (with a button to show it).
func TestShowOfATestSaysWhereItStands(t *testing.T) {
	h := sampleHarness(t)
	abDraft(h, "Which is better?", "Or this?")
	h.press("sum:confirm")
	b := h.stored()
	set := func(f func(*herald.ABTest)) {
		t.Helper()
		if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
			f(x.Test)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	set(func(x *herald.ABTest) { // as the scheduler's start leaves it
		x.Children, x.DecideAt = []string{"B-VARBBB"}, t0.Add(3*time.Hour)
	})
	mustContain(t, h.send("/show "+b.ID), "B (B-VARBBB): 0 delivered", "⏳ The winner is picked at ")
	set(func(x *herald.ABTest) { x.Asked = true }) // its time came and nobody tapped
	rs := h.send("/show " + b.ID)
	mustContain(t, rs, "Nobody tapped or clicked any variant. Which one goes to the rest?")
	if ids := choiceIDs(rs); !contains(ids, "/pick "+b.ID+" A") || !contains(ids, "/pick "+b.ID+" B") {
		t.Errorf("a test waiting for a pick offers %v; want a pick per variant", ids)
	}
	h.send("/pick " + b.ID + " B")
	now, err := h.store.Broadcast(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	test := now.Test
	rs = h.send("/show " + b.ID)
	mustContain(t, rs, "B (B-VARBBB): 0 delivered", "🏆 B was picked by an admin and went to the rest ("+test.Rest+").")
	if ids := choiceIDs(rs); !contains(ids, "/show "+test.Rest) || contains(ids, "/pick "+b.ID+" A") {
		t.Errorf("a decided test offers %v; want the rest, no pick", ids)
	}
	set(func(x *herald.ABTest) { x.By = "system" })
	h.send("/lang zh-CN")
	mustContain(t, h.send("/show "+b.ID), "🏆 B 表现最好（点按或点击的人数比例），已发给其余的人（"+test.Rest+"）。")
}
