package flows

import (
	"maps"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// ended is when a run ended: the time alone on the day it started, or
// "not ended yet".
func (t *turn) ended(r herald.Run) string {
	switch {
	case r.FinishedAt.IsZero():
		return t.T("run.not_ended")
	case r.FinishedAt.In(t.tz).Format("2006-01-02") == r.StartedAt.In(t.tz).Format("2006-01-02"):
		return r.FinishedAt.In(t.tz).Format("15:04")
	}
	return t.when(r.FinishedAt)
}

// runChannels names the channels a run went out on, in the usual order.
func (t *turn) runChannels(r herald.Run) string {
	var names []string
	byAccount := r.AccountTallies()
	for _, p := range herald.Platforms {
		if _, ok := r.Tally[p]; !ok {
			continue
		}
		if byAccount == nil {
			names = append(names, PlatformName(p))
			continue
		}
		var accs []herald.Account // a run that reached a named account names each it reached
		for acc := range byAccount {
			if acc.Platform == p {
				accs = append(accs, acc)
			}
		}
		slices.SortFunc(accs, func(a, b herald.Account) int { return strings.Compare(a.Name, b.Name) })
		for _, acc := range accs {
			names = append(names, t.e.accountLabel(acc))
		}
	}
	for p := range r.Tally { // a platform no longer known still shows
		if !slices.Contains(herald.Platforms, p) {
			names = append(names, string(p))
		}
	}
	if len(names) == 0 {
		return "—"
	}
	return t.joinList(names)
}

// failuresByAccount says how many failed on each account ("By account:
// LINE · Main 3 · LINE · Shop 1") when some failed on a named account;
// "" otherwise (the reasons say it all).
func (t *turn) failuresByAccount(counted herald.ReasonCounter) string {
	by := map[herald.Account]int{}
	named := false
	for rc, n := range counted {
		by[herald.Account{Platform: rc.Platform, Name: rc.Account}] += n
		named = named || rc.Account != ""
	}
	if !named {
		return ""
	}
	accs := slices.Collect(maps.Keys(by))
	slices.SortFunc(accs, func(a, b herald.Account) int {
		if d := slices.Index(herald.Platforms, a.Platform) - slices.Index(herald.Platforms, b.Platform); d != 0 {
			return d
		}
		return strings.Compare(a.Name, b.Name)
	})
	var parts []string
	for _, acc := range accs {
		parts = append(parts, t.e.accountLabel(acc)+" "+FormatCount(by[acc]))
	}
	return t.T("errors.by_account", "Accounts", strings.Join(parts, " · "))
}
