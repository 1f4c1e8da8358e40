package flows

import (
	"slices"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
	"golang.org/x/text/width"
)

// The audience's "🎲 Sample or cap": a random percent of the people the
// other criteria match, at most N of them picked at random, or all but a
// control group. The words are the same in the step, in /new's "sample"
// and "holdout" clauses and at the channel step:
//
//	20%  sample 20%  ·  250  at most 250  max 250  sample 250  ·  holdout 5%  hold out 5%  ·  off
//
// and their Japanese and Chinese forms (sampleWords): 抽样 10%  サンプル 10%
// ·  最多 250  最大 250  上限 250  250人  250名まで  ·  对照组 5%  ·  全部.

// sampleWords turn the Japanese and Chinese sample words into the English
// ones parseSample reads, in any admin's language (as the days are), with
// spaces around so "最多250人" reads as "max 250 人". Longer words come
// first: "所有人" is everyone before "人" is a unit.
var sampleWords = strings.NewReplacer(
	"所有人", " all ", "全員", " all ", "全部", " all ",
	"抽样", " sample ", "抽樣", " sample ", "サンプル", " sample ",
	"随机", " random ", "隨機", " random ", "ランダム", " random ",
	"对照组", " holdout ", "對照組", " holdout ", "対照群", " holdout ", "ホールドアウト", " holdout ",
	"最多", " max ", "至多", " max ", "最大", " max ", "上限", " max ",
	"人", " 人 ", "名", " 名 ", "まで", " まで ", "以内", " 以内 ",
)

// sampleUnits may follow a cap's number: "250人", "250名まで", "250 people".
var sampleUnits = []string{"人", "名", "まで", "以内", "people"}

// samplePresets are the step's buttons, as the words they stand for.
var samplePresets = []string{"10%", "50%", "max 1000", "holdout 5%"}

// parseSample reads the sample words (see above) into a sample without a
// seed; nil with ok means "no sample". A number out of range is read (ok)
// and left for Validate to refuse.
func parseSample(s string) (sm *herald.Sample, ok bool) {
	words := strings.Fields(strings.ToLower(strings.ReplaceAll(sampleWords.Replace(width.Fold.String(s)), "%", " % ")))
	for len(words) > 1 && slices.Contains(sampleUnits, words[len(words)-1]) {
		words = words[:len(words)-1]
	}
	switch {
	case len(words) == 1 && (words[0] == "off" || words[0] == "none" || words[0] == "everyone" || words[0] == "all"):
		return nil, true
	case len(words) > 0 && (words[0] == "sample" || words[0] == "random"):
		words = words[1:]
	}
	holdout := false
	switch {
	case len(words) > 1 && words[0] == "hold" && words[1] == "out":
		holdout, words = true, words[2:]
	case len(words) > 0 && words[0] == "holdout":
		holdout, words = true, words[1:]
	case len(words) > 1 && words[0] == "at" && words[1] == "most":
		words = words[2:]
	case len(words) > 0 && (words[0] == "max" || words[0] == "cap"):
		words = words[1:]
	}
	percent := len(words) == 2 && words[1] == "%"
	if len(words) != 1 && !percent {
		return nil, false
	}
	num := strings.ReplaceAll(words[0], ",", "")
	if percent || holdout {
		p, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return nil, false
		}
		if holdout {
			return &herald.Sample{HoldoutPercent: p}, true
		}
		return &herald.Sample{Percent: p}, true
	}
	n, err := strconv.Atoi(num)
	if err != nil {
		return nil, false
	}
	if n == 0 { // "at most 0" reads as a cap, which Validate refuses
		n = -1
	}
	return &herald.Sample{Max: n}, true
}

// setSample makes s the audience's sample. A sample that replaces another
// keeps its seed, so a larger percent holds the smaller one's people; a
// first one gets a new seed.
func (t *turn) setSample(a *herald.Audience, s *herald.Sample) {
	if s != nil && a.Sample != nil {
		s.Seed = a.Sample.Seed
	}
	a.Sample = s.Seeded(t.e.cfg.NewSeed)
}

func askSample(t *turn) error {
	d := &t.sess.Draft
	if d.Test != nil { // reached by /edit ID sample: nothing to pick here
		t.prompt(t.T("err.sample.ab"), ExpectChoice)
		return nil
	}
	text, err := t.audienceQuestion("wizard.sample.ask")
	if err != nil {
		return err
	}
	cs := make([]Choice, 0, len(samplePresets)+2)
	for _, w := range samplePresets {
		s, _ := parseSample(w)
		cs = append(cs, t.choice("smp:"+w, t.sampleButton(s)))
	}
	if d.Audience.Sample != nil {
		cs = append(cs, t.choice("smp:redraw", t.T("btn.sample.redraw")), t.choice("smp:off", t.T("btn.sample.off")))
	}
	t.prompt(text, ExpectText, cs...)
	return nil
}

func handleSample(t *turn) error {
	if t.sess.Draft.Test != nil {
		return t.fail(t.T("err.sample.ab"))
	}
	a := &t.sess.Draft.Audience
	words, pressed := strings.CutPrefix(t.pressed(), "smp:")
	switch {
	case words == "redraw" && a.Sample != nil:
		s := *a.Sample
		s.Seed = t.e.cfg.NewSeed()
		a.Sample = &s
		return t.ask()
	case !pressed && t.pressed() != "":
		return t.fail(t.T("err.pick_choice"))
	case !pressed:
		words = t.text()
	}
	s, ok := parseSample(words)
	if !ok {
		return t.fail(t.T("err.sample.format"))
	}
	if s != nil {
		if err := s.Validate(); err != nil {
			return t.fail(t.T("err.sample.range", "Word", strings.TrimSpace(words)))
		}
	}
	t.setSample(a, s)
	return t.back()
}

// sampleButton names a preset: "10% at random", "At most 1,000", "Hold
// out 5%".
func (t *turn) sampleButton(s *herald.Sample) string {
	switch {
	case s.Capped():
		return t.T("btn.sample.max", "Max", FormatCount(s.Max))
	case s.HoldoutPercent > 0:
		return t.T("btn.sample.holdout", "Percent", FormatPercent(s.HoldoutPercent))
	}
	return t.T("btn.sample.percent", "Percent", FormatPercent(s.Percent))
}

// describeSample is the audience's sample as one line of its description,
// before it is sent: a percent is drawn person by person, so it says
// "about 10%" (a 10% sample of 2,101 may be 221).
func (t *turn) describeSample(s *herald.Sample) string {
	return sampleLine(t.loc, s, "aud.desc.sample_percent_about", "aud.desc.holdout_about")
}

// SampleLine says what a sample takes, with its draw (the seed, short) so
// two broadcasts can be told to reach the same people: the report after
// the run shows it, beside the counts drawn.
func SampleLine(loc *locales.Localizer, s *herald.Sample) string {
	return sampleLine(loc, s, "aud.desc.sample_percent", "aud.desc.holdout")
}

// ControlLine is a holdout's control group as a finished run counted it,
// as the report and /show say it ("🎲 Control group: 5% = 61 people, not
// sent"); "" for a sample that keeps no control group.
func ControlLine(loc *locales.Localizer, s *herald.Sample, control int) string {
	if s == nil || s.HoldoutPercent <= 0 {
		return ""
	}
	return loc.N("report.control", control, "Percent", FormatPercent(s.HoldoutPercent), "Control", FormatCount(control))
}

// sampleLine says a sample with the keys of a percent and of a holdout.
func sampleLine(loc *locales.Localizer, s *herald.Sample, percentKey, holdoutKey string) string {
	draw := strconv.FormatUint(s.Seed, 36)
	switch {
	case s.Capped():
		return loc.T("aud.desc.sample_max", "Max", FormatCount(s.Max), "Draw", draw)
	case s.HoldoutPercent > 0:
		return loc.T(holdoutKey, "Percent", FormatPercent(s.HoldoutPercent), "Draw", draw)
	}
	return loc.T(percentKey, "Percent", FormatPercent(s.Percent), "Draw", draw)
}

// sampleCount is the live count's sample line: "228 recipients → 23 (about 10%,
// random)", the control group of a holdout, or that a cap is more than the
// audience.
func (t *turn) sampleCount(s *herald.Sample, c herald.Count) string {
	before, total := FormatCount(c.Before), FormatCount(c.Total)
	switch {
	case s.Capped() && s.Max >= c.Before:
		return t.N("count.sample.max_over", c.Before, "Max", FormatCount(s.Max), "Before", before)
	case s.Capped():
		return t.N("count.sample.max", c.Before, "Max", FormatCount(s.Max), "Before", before, "Total", total)
	case s.HoldoutPercent > 0:
		return t.N("count.sample.holdout", c.Control, "Percent", FormatPercent(s.HoldoutPercent), "Before", before,
			"Total", total, "Control", FormatCount(c.Control))
	}
	return t.N("count.sample.percent", c.Before, "Percent", FormatPercent(s.Percent), "Before", before, "Total", total)
}

// FormatPercent writes a percent as typed: "10", "0.5", "37.5".
func FormatPercent(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }
