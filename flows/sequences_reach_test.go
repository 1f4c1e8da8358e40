package flows

import (
	"slices"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

var (
	lineShop = herald.Account{Platform: herald.LINE, Name: "shop"}
	tgMain   = herald.Account{Platform: herald.Telegram}
)

// seqAtSummary makes a one-step sequence started by the tag trial (or,
// follow set, by a new subscriber there) and stops at its summary.
func (h *harness) seqAtSummary(follow string) []Reply {
	h.t.Helper()
	h.send("/sequence new")
	h.send("Shop welcome")
	if follow == "" {
		h.press("sq:tag")
		h.send("trial")
	} else {
		h.press("sq:follow")
		h.press("sf:" + follow)
	}
	h.press("sd:0")
	h.send("Welcome!")
	h.press(choiceDone)
	h.press("sq:done")
	rs := h.press(choiceSkip)
	h.wantStep(stepSeqSummary)
	return rs
}

// openReach makes a sequence as seqAtSummary does on a bot with two
// LINE accounts and opens its accounts picker.
func openReach(t *testing.T, follow string, opts ...func(*Config)) (*harness, []Reply) {
	t.Helper()
	h := newHarness(t, append([]func(*Config){twoLINE}, opts...)...)
	h.useSequences()
	h.seqAtSummary(follow)
	return h, h.press("sq:e:reach")
}

// ticked lists the picker's ticked account buttons in the last reply.
func ticked(rs []Reply) []string {
	var ids []string
	for _, c := range rs[len(rs)-1].Choices {
		if c.Checked {
			ids = append(ids, strings.TrimPrefix(c.ID, "sr:"))
		}
	}
	return ids
}

func (h *harness) seqAccounts(id string) []herald.Account {
	h.t.Helper()
	q, err := h.cfg.Sequences.Get(id)
	if err != nil {
		h.t.Fatal(err)
	}
	return q.Accounts
}

// An unrestricted admin picks a sequence's accounts with buttons ticked
// in place, then changes them by typing, and typing them all is every
// account again.
func TestSequenceReachPickedWithButtonsAndTyped(t *testing.T) {
	h := newHarness(t, twoLINE)
	h.useSequences()
	rs := h.seqAtSummary("")
	if !slices.ContainsFunc(rs[len(rs)-1].Choices, func(c Choice) bool { return c.Label == "📡 Reaches: every account" }) {
		t.Fatalf("summary offers no 📡 Reaches: every account:\n%v", rs[len(rs)-1].Choices)
	}
	rs = h.press("sq:e:reach")
	if got := ticked(rs); !slices.Equal(got, []string{"line", "line:shop", "telegram", "messenger"}) {
		t.Errorf("picker opens with %v ticked, want every account", got)
	}
	h.press("sr:telegram")
	h.press("sr:messenger")
	rs = h.press("sr:line")
	if got := ticked(rs); !slices.Equal(got, []string{"line:shop"}) || !rs[len(rs)-1].Edit {
		t.Errorf("after three toggles %v ticked (edit in place %v), want line:shop", got, rs[len(rs)-1].Edit)
	}
	rs = h.press(choiceDone)
	mustContain(t, rs, "📡 Reaches only: LINE · Shop")
	rs = h.press("sq:on")
	id := seqID.FindString(joined(rs))
	if got := h.seqAccounts(id); !slices.Equal(got, []herald.Account{lineShop}) {
		t.Fatalf("stored accounts %v, want LINE · Shop", got)
	}
	mustContain(t, h.send("/sequences"), "📡 Reaches only: LINE · Shop")

	h.send("/sequence edit " + id)
	rs = h.press("sq:e:reach")
	if got := ticked(rs); !slices.Equal(got, []string{"line:shop"}) {
		t.Errorf("edit's picker opens with %v ticked, want the stored line:shop", got)
	}
	mustContain(t, h.send("line:shop, telegram"), "📡 Reaches only: LINE · Shop, Telegram")
	h.press("sq:save")
	if got := h.seqAccounts(id); !slices.Equal(got, []herald.Account{lineShop, tgMain}) {
		t.Fatalf("saved accounts %v, want LINE · Shop and Telegram", got)
	}

	h.send("/sequence edit " + id)
	h.press("sq:e:reach")
	rs = h.send("line telegram messenger")
	if strings.Contains(joined(rs), "Reaches only") {
		t.Errorf("every account typed still reads as some:\n%s", joined(rs))
	}
	h.press("sq:save")
	if got := h.seqAccounts(id); got != nil {
		t.Errorf("saved accounts %v, want every account (none listed)", got)
	}
}

// An unknown account or channel, or none ticked, is refused with what
// would work, and the ticks stay.
func TestSequenceReachRefusesUnknownAccountsAndNone(t *testing.T) {
	h, _ := openReach(t, "")
	h.press("sr:messenger")
	mustContain(t, h.send("line:outlet"), "“line:outlet” isn't an account here. Choose from: line:main, line:shop.")
	rs := h.send("wechat")
	mustContain(t, rs, "“wechat” isn't one of the channels here.")
	if got := ticked(rs); !slices.Equal(got, []string{"line", "line:shop", "telegram"}) {
		t.Errorf("refused input changed the ticks to %v", got)
	}
	h.press("sr:line")
	h.press("sr:line:shop")
	h.press("sr:telegram")
	mustContain(t, h.press(choiceDone), "Tick at least one account, then press Done.")
	h.wantStep(stepSeqReach)
	h.press("sr:telegram")
	mustContain(t, h.press(choiceDone), "📡 Reaches only: Telegram")
}

// A restricted admin is offered only the accounts they may use, and
// typing another is refused; with one account there is nothing to pick.
func TestSequenceReachRestrictedAdmin(t *testing.T) {
	h := newHarness(t, twoLINE, func(c *Config) {
		c.AdminAccounts = map[string][]herald.Account{
			AdminKey("console", "bob"):   {lineShop, tgMain},
			AdminKey("console", "carol"): {lineShop},
		}
	})
	h.useSequences()
	h.user = "bob"
	h.seqAtSummary("")
	rs := h.press("sq:e:reach")
	var offered []string
	for _, c := range rs[len(rs)-1].Choices {
		offered = append(offered, c.ID)
	}
	if !slices.Equal(offered, []string{"sr:line:shop", "sr:telegram", choiceDone, choiceBack, choiceCancel}) {
		t.Errorf("Bob is offered %v, want his two accounts and Done", offered)
	}
	mustContain(t, h.send("line:main"), "You can't send from LINE · Main. Your accounts: LINE · Shop, Telegram.")
	mustContain(t, h.send("line"), "📡 Reaches only: LINE · Shop") // LINE alone: the LINE account he may use
	id := seqID.FindString(joined(h.press("sq:on")))
	if got := h.seqAccounts(id); !slices.Equal(got, []herald.Account{lineShop}) {
		t.Errorf("Bob's sequence reaches %v, want LINE · Shop", got)
	}

	h.user = "carol"
	h.seqAtSummary("")
	if h.offered("sq:e:reach") {
		t.Error("Carol, with one account, is offered a choice of accounts")
	}
}

// A follow trigger's account left out of the picked accounts is refused
// at Done, and a follow trigger outside them is refused at the trigger.
func TestSequenceReachAndFollowTriggerAgree(t *testing.T) {
	h, _ := openReach(t, "line:shop")
	h.press("sr:line:shop")
	mustContain(t, h.press(choiceDone), "The trigger welcomes new subscribers on LINE · Shop, but the accounts ticked (LINE · Main, Telegram, Messenger) leave it out")
	h.wantStep(stepSeqReach)
	h.send("line:shop, telegram")
	h.press("sq:e:trigger")
	rs := h.press("sq:follow")
	if ids := rs[len(rs)-1].Choices; slices.ContainsFunc(ids, func(c Choice) bool { return c.ID == "sf:messenger" || c.ID == "sf:line:main" }) {
		t.Errorf("the trigger offers accounts the sequence does not reach: %v", ids)
	}
	mustContain(t, h.send("messenger"), "The sequence reaches only LINE · Shop, Telegram, so nobody on Messenger could enter it.")
	h.wantStep(stepSeqFollowOn)
	mustContain(t, h.press("sf:telegram"), "Starts with: 👋 a new subscriber on Telegram", "📡 Reaches only: LINE · Shop, Telegram")
}

// With one account per platform the summary offers no accounts.
func TestSequenceReachNotOfferedWithOneAccountPerPlatform(t *testing.T) {
	h := newSeqHarness(t)
	h.seqAtSummary("")
	if h.offered("sq:e:reach") {
		t.Error("a bot with one account per platform offers a choice of accounts")
	}
}
