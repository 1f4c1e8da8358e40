package dispatch

import (
	"math"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// feed commits outcomes at perSec for d from (at, done), every 200 ms as
// the committer does, and returns where it ended.
func feed(m *rateMeter, at time.Time, done int, perSec float64, d time.Duration) (time.Time, int) {
	const step = 200 * time.Millisecond
	for end := at.Add(d); at.Before(end); {
		at = at.Add(step)
		done += int(math.Round(perSec * step.Seconds()))
		m.note(at, done)
	}
	return at, done
}

func near(got, want float64) bool { return math.Abs(got-want) <= want*0.05 }

// The rate is the recent one: unknown until a few seconds of sending were
// seen, blind to the first burst, and following a slowdown within the
// window.
func TestRateIsARecentSmoothedRate(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var m rateMeter
	m.reset(t0, 0)

	// 1,000 recipients skipped at once (no request needed), then 30/s.
	m.note(t0.Add(100*time.Millisecond), 1000)
	at, done := feed(&m, t0.Add(100*time.Millisecond), 1000, 30, 3*time.Second)
	if r := m.rate(at, done, time.Time{}); r != 0 {
		t.Errorf("rate after %v: %.1f/s; want none yet (too little seen)", at.Sub(t0), r)
	}
	at, done = feed(&m, at, done, 30, 10*time.Second)
	if r := m.rate(at, done, time.Time{}); !near(r, 30) {
		t.Errorf("rate after the first burst: %.1f/s; want about 30 (the burst left out)", r)
	}

	// 429s slow the run to 10/s: the rate follows within the window.
	at, done = feed(&m, at, done, 10, rateWindow)
	if r := m.rate(at, done, time.Time{}); !near(r, 10) {
		t.Errorf("rate after slowing down: %.1f/s; want about 10", r)
	}
	if len(m.samples) > int(rateWindow/rateSampleEvery)+2 {
		t.Errorf("%d samples kept; want at most a window's worth", len(m.samples))
	}

	// Nothing finishes for 40 s: the rate says so.
	if r := m.rate(at.Add(40*time.Second), done, time.Time{}); r != 0 {
		t.Errorf("rate after 40 s without an outcome: %.1f/s; want 0", r)
	}
}

// After a wait for the next group (their local 09:00), the rate measures
// the sending since the group became due, not the idle hour before.
func TestRateAfterAWaitCountsOnlyTheGroupBeingSent(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var m rateMeter
	m.reset(t0, 0)
	at, done := feed(&m, t0, 0, 30, 20*time.Second)
	group := at.Add(time.Hour)
	at, done = feed(&m, group, done, 30, 3*time.Second)
	if r := m.rate(at, done, group); r != 0 {
		t.Errorf("rate 3 s into a group: %.1f/s; want none yet", r)
	}
	at, done = feed(&m, at, done, 30, 10*time.Second)
	if r := m.rate(at, done, group); !near(r, 30) {
		t.Errorf("rate 13 s into a group: %.1f/s; want about 30", r)
	}
}

// Recipients waiting for their own time are counted apart: the ETA covers
// only those due now, and says nothing until the wait is known.
func TestProgressTellsDueFromWaiting(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := &runner{bid: "B-1", runID: "B-1/1"}
	var p progress
	p.init(&herald.Run{Total: 1000, StartedAt: t0, Tally: map[herald.Platform]herald.Tally{herald.Telegram: {Pending: 1000}}}, t0)

	sent := func(n int) []herald.Delivery {
		ds := make([]herald.Delivery, n)
		for i := range ds {
			ds[i] = herald.Delivery{Recipient: herald.SubscriberKey{Platform: herald.Telegram}, Outcome: herald.Sent}
		}
		return ds
	}
	at := t0
	for range 50 { // 30/s for 10 s
		at = at.Add(200 * time.Millisecond)
		p.add(sent(6), at)
	}
	s := p.snapshot(r, at)
	if s.Rate == 0 || s.ETA != 0 {
		t.Errorf("before the wait is known: rate %.1f, ETA %v; want a rate and no ETA", s.Rate, s.ETA)
	}

	ny := t0.Add(5 * time.Hour) // New York's 09:00
	p.setDue(map[int64]int{t0.Unix() / 60: 300, ny.Unix() / 60: 600})
	s = p.snapshot(r, at)
	if s.Waiting != 600 || !s.NextAt.Equal(ny) || s.Due() != 100 {
		t.Fatalf("waiting %d until %v, due %d; want 600 until %v, 100 due", s.Waiting, s.NextAt, s.Due(), ny)
	}
	if want := time.Duration(float64(100) / s.Rate * float64(time.Second)); s.ETA != want || !near(s.Rate, 30) {
		t.Errorf("rate %.1f/s, ETA %v; want about 30/s and %v for the 100 due", s.Rate, s.ETA, want)
	}

	at = ny.Add(time.Second)
	p.add(sent(100), at)
	if s = p.snapshot(r, at); s.Waiting != 0 || !s.NextAt.IsZero() || s.Due() != 600 {
		t.Errorf("at New York's 09:00: waiting %d, next %v, due %d; want all 600 due", s.Waiting, s.NextAt, s.Due())
	}
}
