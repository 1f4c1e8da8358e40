package adminchat

import (
	"slices"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// accountLabel names an account as the wizard does (Options.AccountLabel).
func (r *Reporter) accountLabel(acc herald.Account) string {
	if r.opts.AccountLabel != nil {
		return r.opts.AccountLabel(acc)
	}
	return flows.AccountLabel(acc)
}

// writeAccounts writes a report's totals account by account, when its run
// reached a named account (rep.Accounts), in place of the per-channel
// lines, and returns how many lines it wrote.
func writeAccounts(b *strings.Builder, v view, rep *herald.Report) int {
	if rep.Accounts == nil {
		return 0
	}
	label := v.account
	if label == nil {
		label = flows.AccountLabel
	}
	accs := sortedAccounts(rep.Accounts)
	for _, acc := range accs {
		t := rep.Accounts[acc]
		b.WriteString("\n" + v.loc.T("report.channel", "Channel", label(acc), "Sent", flows.FormatCount(t.Sent),
			"Failed", flows.FormatCount(t.Failed), "Skipped", flows.FormatCount(t.Skipped)))
	}
	return len(accs)
}

// sortedAccounts lists a breakdown's accounts platform by platform, each
// platform's default account first.
func sortedAccounts(m map[herald.Account]herald.Tally) []herald.Account {
	accs := make([]herald.Account, 0, len(m))
	for acc := range m {
		accs = append(accs, acc)
	}
	slices.SortFunc(accs, func(x, y herald.Account) int {
		if d := slices.Index(herald.Platforms, x.Platform) - slices.Index(herald.Platforms, y.Platform); d != 0 {
			return d
		}
		return strings.Compare(x.Name, y.Name) // the default account ("") first
	})
	return accs
}

// accountsLine is the live progress account by account, compactly
// ("LINE · Main 40/50 · LINE · Shop 12/20 ❌ 1"), when the run reaches
// more than one account of a platform (the one-account case reads as the
// counts line); "" otherwise.
func accountsLine(v view, p *herald.Progress) string {
	perPlatform := map[herald.Platform]int{}
	several := false
	for acc := range p.Accounts {
		perPlatform[acc.Platform]++
		several = several || perPlatform[acc.Platform] > 1
	}
	if !several {
		return ""
	}
	label := v.account
	if label == nil {
		label = flows.AccountLabel
	}
	var parts []string
	for _, acc := range sortedAccounts(p.Accounts) {
		t := p.Accounts[acc]
		key := "progress.account"
		if t.Failed > 0 {
			key = "progress.account_failed"
		}
		parts = append(parts, v.loc.T(key, "Account", label(acc), "Done", flows.FormatCount(t.Done()),
			"Total", flows.FormatCount(t.Done()+t.Pending), "Failed", flows.FormatCount(t.Failed)))
	}
	return strings.Join(parts, " · ")
}
