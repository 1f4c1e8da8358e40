package dispatch

import "time"

// The rate shown in the admin chat is measured over a sliding window, not
// from the start of the run: the first moments say little (outcomes that
// need no request arrive at once, the first requests are still in flight),
// and a run slowed down by 429s must show the slower rate soon.
const (
	// rateWindow is how far back the rate looks.
	rateWindow = 30 * time.Second
	// rateWarmup is ignored at the start of each runner (a start or resume).
	rateWarmup = 2 * time.Second
	// rateMinSpan is the least time a rate is measured over; until then
	// there is no rate (and so no ETA) at all.
	rateMinSpan = 5 * time.Second
	// rateSampleEvery spaces the samples, bounding how many are kept.
	rateSampleEvery = time.Second
)

// rateMeter measures finished deliveries per second over a sliding window.
type rateMeter struct {
	samples []rateSample // oldest first, rateSampleEvery or more apart
	from    time.Time    // samples before it (the warm-up) never count
}

type rateSample struct {
	at   time.Time
	done int
}

// reset starts measuring afresh at now, with done deliveries so far.
func (m *rateMeter) reset(now time.Time, done int) {
	m.samples = append(m.samples[:0], rateSample{now, done})
	m.from = now.Add(rateWarmup)
}

// note records that done deliveries had finished at now.
func (m *rateMeter) note(now time.Time, done int) {
	if n := len(m.samples); n > 0 && now.Sub(m.samples[n-1].at) < rateSampleEvery {
		return
	}
	m.samples = append(m.samples, rateSample{now, done})
	// Keep one sample at or before the window's start, drop older ones.
	cut := now.Add(-rateWindow)
	i := 0
	for i+1 < len(m.samples) && !m.samples[i+1].at.After(cut) {
		i++
	}
	if i > 0 {
		m.samples = append(m.samples[:0], m.samples[i:]...)
	}
}

// rate is deliveries per second up to now (done so far), measured from the
// last sample at or before the window's start, or else the first one
// after it; samples from before the warm-up's end or before since (when
// the recipients being sent now became due: the wait before is no measure
// of speed) do not count. It is 0 while that spans less than rateMinSpan.
func (m *rateMeter) rate(now time.Time, done int, since time.Time) float64 {
	start := m.from
	if since.After(start) {
		start = since
	}
	cut := now.Add(-rateWindow)
	base := -1
	for i, s := range m.samples {
		if s.at.Before(start) {
			continue
		}
		if base >= 0 && s.at.After(cut) {
			break
		}
		base = i
	}
	if base < 0 {
		return 0
	}
	s := m.samples[base]
	span := now.Sub(s.at)
	if span < rateMinSpan {
		return 0
	}
	return float64(done-s.done) / span.Seconds()
}
