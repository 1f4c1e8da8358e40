package metrics

import (
	"context"

	"github.com/heraldbot/herald"
)

// Publish is metrics subscribing to the events sink: a finished run adds
// its recipients' final outcomes to herald_deliveries_total by channel and
// account.
func (m *Metrics) Publish(_ context.Context, e herald.Event) {
	fin, ok := e.(herald.RunFinished)
	if !ok || m == nil {
		return
	}
	byAccount := fin.Report.Accounts
	if byAccount == nil { // the run reached default accounts only
		byAccount = map[herald.Account]herald.Tally{}
		for p, t := range fin.Report.Channels {
			byAccount[herald.Account{Platform: p}] = t
		}
	}
	for acc, t := range byAccount {
		for outcome, n := range map[string]int{"sent": t.Sent, "failed": t.Failed, "skipped": t.Skipped} {
			if n > 0 {
				m.deliveries.WithLabelValues(string(acc.Platform), accountLabel(acc.Name), outcome).Add(float64(n))
			}
		}
	}
}
