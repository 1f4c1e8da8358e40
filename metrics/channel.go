package metrics

import (
	"maps"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldbot/herald"
)

// channelSeries are one channel's (a platform's account's) send series,
// looked up by label once: WithLabelValues hashes the labels and
// allocates on every call, too much for a path taken by every request of
// a broadcast.
type channelSeries struct {
	sendLatency prometheus.Observer
	rateLimited prometheus.Counter
	queueDepth  prometheus.Gauge
}

// channel is acc's series, made on first use. Reading takes no lock and
// allocates nothing: the map is replaced, never changed, when a channel
// is added (a handful in a process's life).
func (m *Metrics) channel(acc herald.Account) *channelSeries {
	if cs := m.channels.Load(); cs != nil {
		if s := (*cs)[acc]; s != nil {
			return s
		}
	}
	m.channelsMu.Lock()
	defer m.channelsMu.Unlock()
	next := map[herald.Account]*channelSeries{}
	if cs := m.channels.Load(); cs != nil {
		if s := (*cs)[acc]; s != nil {
			return s
		}
		next = maps.Clone(*cs)
	}
	ch, account := string(acc.Platform), accountLabel(acc.Name)
	s := &channelSeries{
		sendLatency: m.sendLatency.WithLabelValues(ch, account),
		rateLimited: m.rateLimited.WithLabelValues(ch, account),
		queueDepth:  m.queueDepth.WithLabelValues(ch, account),
	}
	next[acc] = s
	m.channels.Store(&next)
	return s
}

// SendDone observes one request to a platform on a channel's account
// ("" the default) and how long it took to be answered (dispatch's
// Observer).
func (m *Metrics) SendDone(acc herald.Account, d time.Duration) {
	if m != nil {
		m.channel(acc).sendLatency.Observe(d.Seconds())
	}
}

// RateLimited counts one 429 / rate-limit answer a platform gave a send
// (dispatch's Observer).
func (m *Metrics) RateLimited(acc herald.Account) {
	if m != nil {
		m.channel(acc).rateLimited.Inc()
	}
}

// Queued adds delta to the deliveries waiting on a channel's account:
// each run adds its recipients as it starts sending, takes them off as
// their outcomes are committed and takes the rest back when it stops, so
// the gauge is the sum over the runs sending (dispatch's Observer).
func (m *Metrics) Queued(acc herald.Account, delta int) {
	if m != nil {
		m.channel(acc).queueDepth.Add(float64(delta))
	}
}
