package flows

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// The summary's "🆎 A/B test": the admin types variant B's text (it goes
// with A's buttons and pictures, so taps compare like with like), then
// each variant's share and the wait before the winner goes to the rest:
//
//	10% 4h  ·  20 % 30m  ·  5% 1d
//
// Pressing it again adds C, then D; "No A/B test" takes the test off.

// abPresets are the split step's buttons, as the words they stand for.
var abPresets = []string{"10% 1h", "10% 4h", "20% 24h"}

// abStart checks that the draft can be tested before the text is asked:
// one moment (not repeating, not each person's time), no sample of its
// own, and a text to vary. "" when it can.
func (t *turn) abStart(d *herald.Broadcast) string {
	switch {
	case d.Schedule.Kind != herald.SendNow && d.Schedule.Kind != herald.SendAt:
		return t.T("err.ab.timing")
	case d.Test == nil && d.Audience.Sample != nil:
		return t.T("err.ab.sample")
	case d.Content.Kind == herald.CarouselContent:
		return t.T("err.ab.carousel")
	}
	return ""
}

func askABText(t *turn) error {
	d := &t.sess.Draft
	n := 2
	var cs []Choice
	if d.Test != nil {
		n = d.Test.N() + 1
		cs = append(cs, t.choice("ab:split", t.T("btn.ab.split")), t.choice("ab:off", t.T("btn.ab.off")))
	}
	t.prompt(t.T("wizard.ab.text", "Letter", herald.VariantLetter(n)), ExpectText, cs...)
	return nil
}

func handleABText(t *turn) error {
	d := &t.sess.Draft
	switch t.pressed() {
	case "":
	case "ab:off":
		d.Test, d.Audience.Sample = nil, nil
		return t.toSummary()
	case "ab:split":
		if d.Test != nil {
			return t.goTo(stepABSplit)
		}
		fallthrough
	default:
		return t.fail(t.T("err.pick_choice"))
	}
	if t.in.File != nil {
		return t.fail(t.T("err.type_text"))
	}
	text, spans, msg := t.typedText()
	if msg != "" {
		return t.fail(msg)
	}
	c := d.Content
	c.Text, c.Spans = text, spans
	if d.Test == nil {
		d.Test = &herald.ABTest{Percent: 10, Wait: 4 * time.Hour, Seed: t.e.cfg.NewSeed()}
	}
	d.Test.Variants = append(d.Test.Variants, c)
	d.Audience.Sample = d.Test.Band(1)
	return t.goTo(stepABSplit)
}

func askABSplit(t *turn) error {
	cs := make([]Choice, 0, len(abPresets))
	for _, w := range abPresets {
		p, wait, _ := parseSplit(w)
		cs = append(cs, t.choice("abs:"+w, t.T("btn.ab.preset", "Percent", FormatPercent(p), "Wait", WholeMinutes(t.loc, int64(wait/time.Minute)))))
	}
	t.prompt(t.T("wizard.ab.split", "Count", t.sess.Draft.Test.N()), ExpectText, cs...)
	return nil
}

func handleABSplit(t *turn) error {
	d := &t.sess.Draft
	words, pressed := strings.CutPrefix(t.pressed(), "abs:")
	switch {
	case !pressed && t.pressed() != "":
		return t.fail(t.T("err.pick_choice"))
	case !pressed:
		words = t.text()
	}
	p, wait, ok := parseSplit(words)
	if !ok {
		return t.fail(t.T("err.ab.split"))
	}
	test := *d.Test
	test.Percent, test.Wait = p, wait
	var ve *herald.ValidationError
	if err := test.Validate(d); errors.As(err, &ve) {
		switch ve.Field {
		case "ab_test.percent":
			return t.fail(t.T("err.ab.percent", "Count", test.N(), "Max", FormatPercent(math.Floor(1000/float64(test.N()))/10)))
		case "ab_test.wait_minutes":
			return t.fail(t.T("err.ab.wait"))
		}
		return t.fail(t.validationLine(err))
	}
	d.Test = &test
	d.Audience.Sample = test.Band(1)
	return t.toSummary()
}

// parseSplit reads "10% 4h": each variant's percent and the wait (a
// number of minutes m, hours h or days d, or their Japanese and Chinese
// words: 4小时, 4時間, 30分, 1天), in either order.
func parseSplit(s string) (percent float64, wait time.Duration, ok bool) {
	s = durationWords(s)
	words := strings.Fields(s)
	var gotP, gotW bool
	for i := 0; i < len(words); i++ {
		w := words[i]
		if i+1 < len(words) && words[i+1] == "%" {
			v, err := strconv.ParseFloat(w, 64)
			if err != nil || gotP {
				return 0, 0, false
			}
			percent, gotP, i = v, true, i+1
			continue
		}
		num := strings.TrimRight(w, "mhd")
		unit := strings.TrimPrefix(w, num)
		if unit == "" && i+1 < len(words) { // "4 h"
			unit, i = words[i+1], i+1
		}
		n, err := strconv.ParseFloat(num, 64)
		per := unitLengths[unit]
		if err != nil || per == 0 || gotW {
			return 0, 0, false
		}
		wait, gotW = time.Duration(n*float64(per)), true
	}
	return percent, wait, gotP && gotW
}

// abFollowA gives the test's variants A's content as it is now, each with
// its own text: a button or picture changed after the test was set goes
// with every variant.
func (t *turn) abFollowA(d *herald.Broadcast) {
	if d.Test == nil {
		return
	}
	for i, v := range d.Test.Variants {
		c := d.Content
		c.Text, c.Spans = v.Text, v.Spans
		d.Test.Variants[i] = c
	}
}

// abLines are the summary's lines of a test: the split and wait, and
// each other variant's text.
func (t *turn) abLines(test *herald.ABTest) []string {
	out := []string{t.T("summary.ab", "Count", test.N(), "Percent", FormatPercent(test.Percent),
		"Wait", WholeMinutes(t.loc, int64(test.Wait/time.Minute)))}
	for i := range test.Variants {
		c := &test.Variants[i]
		out = append(out, "  "+herald.VariantLetter(i+2)+" · "+preview(c.Text, c.Spans, nil))
	}
	return out
}

// pickVariant is /pick B-7K2Q B: an admin sends variant B of a test to
// the rest (the buttons of the no-one-tapped question press it).
func (m *manager) pickVariant(args string) error {
	b, ok, err := m.t.broadcastArg("/pick", args)
	if !ok {
		return err
	}
	if b.Test == nil {
		m.t.say(m.t.T("err.ab.not_test", "ID", b.ID), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	}
	_, letter, _ := strings.Cut(strings.TrimSpace(args), " ")
	v := herald.VariantOf(letter, b.Test.N())
	if v == 0 { // no letter, or one the test does not have: name its letters, each a button
		var letters []string
		var cs []Choice
		for i := 1; i <= b.Test.N(); i++ {
			l := herald.VariantLetter(i)
			letters = append(letters, l)
			cs = append(cs, m.t.choice("/pick "+b.ID+" "+l, m.t.T("btn.ab.pick", "Letter", l)))
		}
		m.t.say(m.t.T("usage.pick", "Name", b.Name, "ID", b.ID, "Letters", m.t.joinList(letters)), cs...)
		return nil
	}
	_, err = m.svc.PickVariant(m.t.ctx, b.ID, v, m.t.who())
	switch {
	case errors.Is(err, broadcasts.ErrDecided):
		now, _ := m.reads.Broadcast(b.ID)
		msg := m.t.T("err.ab.called_off", "ID", b.ID)
		if now.Test != nil && now.Test.Winner != 0 {
			msg = m.t.T("err.ab.decided", "ID", b.ID, "Letter", herald.VariantLetter(now.Test.Winner))
		}
		m.t.say(msg, m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	case errors.Is(err, broadcasts.ErrNotSent):
		m.t.say(m.t.T("err.ab.not_sent", "ID", b.ID), m.t.choice("/show "+b.ID, m.t.T("btn.show")))
		return nil
	case err != nil:
		return fmt.Errorf("flows: pick %s of %s: %w", letter, b.ID, err)
	}
	m.t.say(m.t.T("abtest.pick.done", "Letter", herald.VariantLetter(v), "Name", b.Name))
	return nil
}

// abSplit is an A/B test's audience as counted: everyone it is for (the
// count without a sample), each variant's band (A first), the variants
// together (who get theirs now) and the rest (who get the winner later).
type abSplit struct {
	All      int
	Variants []int
	Now      int
	Rest     int
}

// abCount counts d's test: the whole audience, then each variant's band
// of the same seed. The bands are disjoint and the rest is everyone else,
// so the rest is the whole less the variants.
func (t *turn) abCount(d *herald.Broadcast) (abSplit, error) {
	cat := d.Category
	if cat == "" {
		cat = herald.Marketing
	}
	var s abSplit
	a := d.Audience
	for i := range d.Test.N() + 1 { // 0: no sample, the whole audience
		a.Sample = nil
		if i > 0 {
			a.Sample = d.Test.Band(i)
		}
		c, err := t.e.cfg.Store.Count(&a, cat, t.now)
		if err != nil {
			return s, fmt.Errorf("flows: count the A/B test's audience: %w", err)
		}
		if i == 0 {
			s.All = c.Total
			continue
		}
		s.Variants = append(s.Variants, c.Total)
		s.Now += c.Total
	}
	s.Rest = max(0, s.All-s.Now)
	return s, nil
}

// abCountText is a test's count line: "👥 204 recipients in all — 🆎 A
// 10% ≈ 20 · B 10% ≈ 20 now, the rest ≈ 164 get the winner after 4 h".
func (t *turn) abCountText(test *herald.ABTest, s abSplit) string {
	parts := make([]string, len(s.Variants))
	for i, n := range s.Variants {
		parts[i] = t.T("count.ab.variant", "Letter", herald.VariantLetter(i+1), "Percent", FormatPercent(test.Percent), "Count", FormatCount(n))
	}
	return t.N("count.ab", s.All, "Total", FormatCount(s.All), "Variants", strings.Join(parts, " · "),
		"Rest", FormatCount(s.Rest), "Wait", WholeMinutes(t.loc, int64(test.Wait/time.Minute)))
}

// liveCount is the draft's count and the text that shows it: for an A/B
// test, the whole audience and its split rather than variant A's band.
func (t *turn) liveCount(d *herald.Broadcast) (herald.Count, string, error) {
	cnt, err := t.count(d)
	if err != nil {
		return cnt, t.countText(d, cnt), err
	}
	text, err := t.countLine(d, cnt)
	return cnt, text, err
}

// countLine is the text that shows d's count cnt: for an A/B test, the
// whole audience and its split (counted here) rather than variant A's
// band, which is what cnt counts.
func (t *turn) countLine(d *herald.Broadcast, cnt herald.Count) (string, error) {
	if d.Test == nil || len(d.Audience.Channels) == 0 {
		return t.countText(d, cnt), nil
	}
	s, err := t.abCount(d)
	if err != nil {
		return "", err
	}
	return t.abCountText(d.Test, s), nil
}

// variantsSample is the band every variant of test takes together, [0,
// n·Percent): who gets a variant when the test goes out.
func variantsSample(test *herald.ABTest) *herald.Sample {
	return &herald.Sample{Percent: float64(test.N()) * test.Percent, Seed: test.Seed}
}
