package metrics

import (
	"context"

	"github.com/heraldbot/herald"
)

// Publish is metrics subscribing to the events sink: a finished run adds
// its recipients' final outcomes to herald_deliveries_total by channel.
func (m *Metrics) Publish(_ context.Context, e herald.Event) {
	fin, ok := e.(herald.RunFinished)
	if !ok || m == nil {
		return
	}
	for p, t := range fin.Report.Channels {
		for outcome, n := range map[string]int{"sent": t.Sent, "failed": t.Failed, "skipped": t.Skipped} {
			if n > 0 {
				m.deliveries.WithLabelValues(string(p), outcome).Add(float64(n))
			}
		}
	}
}
