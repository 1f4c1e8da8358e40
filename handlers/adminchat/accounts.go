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
	accs := make([]herald.Account, 0, len(rep.Accounts))
	for acc := range rep.Accounts {
		accs = append(accs, acc)
	}
	slices.SortFunc(accs, func(x, y herald.Account) int {
		if d := slices.Index(herald.Platforms, x.Platform) - slices.Index(herald.Platforms, y.Platform); d != 0 {
			return d
		}
		return strings.Compare(x.Name, y.Name) // the default account ("") first
	})
	for _, acc := range accs {
		t := rep.Accounts[acc]
		b.WriteString("\n" + v.loc.T("report.channel", "Channel", label(acc), "Sent", flows.FormatCount(t.Sent),
			"Failed", flows.FormatCount(t.Failed), "Skipped", flows.FormatCount(t.Skipped)))
	}
	return len(accs)
}
