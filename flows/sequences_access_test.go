package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// A restricted admin's sequence reaches their accounts alone, offers no
// other, and they neither see nor change a sequence beyond them; an
// unrestricted admin's reaches every account and sees all.
func TestRestrictedAdminsSequencesStayWithinTheirAccounts(t *testing.T) {
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{AdminKey("console", "bob"): {{Platform: herald.LINE, Name: "shop"}}}
	})
	h.useSequences()
	everyone := h.makeSequence()
	h.advance(time.Minute)
	h.send(`/new "Main news" on line:main at 2026-12-01 09:00`)
	h.press("sum:confirm")
	main, _ := h.store.FindBroadcasts("Main news", 1)

	h.user = "bob"
	h.send("/sequence new")
	h.send("Shop welcome")
	h.press("sq:tap")
	mustContain(t, h.send(main[0].ID), "You can't send from LINE · Main. Your accounts: LINE · Shop.")
	h.press(choiceBack)
	h.press("sq:follow") // one account: no channel to pick
	h.wantStep(stepSeqDelay)
	h.press("sd:0")
	h.send("Welcome to the shop!")
	h.press(choiceDone)
	h.press("sq:done")
	mustContain(t, h.send("-"), "📡 Reaches only: LINE · Shop")
	rs := h.press("sq:on")
	shop := seqID.FindString(joined(rs))
	q, err := h.cfg.Sequences.Get(shop)
	if err != nil || !slices.Equal(q.Accounts, []herald.Account{{Platform: herald.LINE, Name: "shop"}}) {
		t.Fatalf("Bob's sequence reaches %v (%v), want LINE · Shop alone", q.Accounts, err)
	}
	list := joined(h.send("/sequences"))
	if !strings.Contains(list, shop+" “Shop welcome”") || !strings.Contains(list, "📡 Reaches only: LINE · Shop") || strings.Contains(list, everyone) {
		t.Errorf("Bob's /sequences:\n%s", list)
	}
	for _, cmd := range []string{"/sequence edit ", "/sequence pause ", "/sequence delete ", "/log "} {
		mustContain(t, h.send(cmd+everyone), "You can't send from LINE · Main. Your accounts: LINE · Shop.")
	}
	if q, _ := h.cfg.Sequences.Get(everyone); q.Paused {
		t.Error("Bob paused a sequence of every account")
	}
	mustContain(t, h.press("/sequence pause "+shop), "⏸ Paused "+shop)

	h.user = "alice"
	if list := joined(h.send("/sequences")); !strings.Contains(list, shop) || !strings.Contains(list, everyone) {
		t.Errorf("Alice, not restricted, does not see both:\n%s", list)
	}
	if q, _ := h.cfg.Sequences.Get(everyone); q.Accounts != nil {
		t.Errorf("Alice's sequence reaches %v, want every account", q.Accounts)
	}
}
