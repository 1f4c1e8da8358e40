package flows

import (
	"errors"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/heraldbot/herald"
	"golang.org/x/text/width"
)

// The one-liner's sampling clauses: "sample" and "holdout" (the audience
// step's words, see parseSample) and "ab", an A/B test:
//
//	ab "Variant B's text" 10% 4h
//	ab "B's text" "C's text" "D's text" 5% 30m
//
// each other variant's text in quotes (A is the message itself), then
// each variant's share and the wait before the winner goes to the rest,
// in either order, as the summary's 🆎 A/B test reads them (parseSplit).

// clauseAliases are the Japanese and Chinese words that start a sampling
// clause, read whatever the admin's language (as the sample step reads
// them): 抽样 10%, 最多 250, 対照群 5%, AB测试 "…" 10% 4h. A cap's word
// starts a sample by itself, since it says which kind.
var clauseAliases = map[string]string{
	"抽样": "sample", "抽樣": "sample", "サンプル": "sample",
	"随机": "sample", "隨機": "sample", "ランダム": "sample",
	"最多": "sample", "至多": "sample", "最大": "sample", "上限": "sample",
	"对照组": "holdout", "對照組": "holdout", "対照群": "holdout", "ホールドアウト": "holdout",
	"a/b": "ab", "ab测试": "ab", "ab測試": "ab", "abテスト": "ab", "a/b测试": "ab", "a/b測試": "ab", "a/bテスト": "ab",
}

// clauseWord is the clause a token starts, as its English word ("" for
// none): typed in English, or in a Japanese or Chinese form.
func clauseWord(tk token) string {
	if tk.quoted {
		return ""
	}
	w := strings.ToLower(width.Fold.String(tk.s))
	for _, c := range clauseWords {
		if w == c {
			return c
		}
	}
	return clauseAliases[w]
}

// splitGlued parts a Japanese or Chinese clause word from what follows it
// without a space ("抽样10%", "最多250人"), as people write those
// languages; any other token is left whole.
func splitGlued(tk token) []token {
	for alias := range clauseAliases {
		if r, _ := utf8.DecodeRuneInString(alias); r >= utf8.RuneSelf && len(tk.s) > len(alias) && strings.HasPrefix(tk.s, alias) {
			return []token{{s: alias, pos: tk.pos}, {s: tk.s[len(alias):], pos: tk.pos + len(alias)}}
		}
	}
	return []token{tk}
}

// clauseSample reads "sample 10%", "sample 250", "sample max 250",
// "holdout 5%", and their Japanese and Chinese forms ("抽样 10%", "最多
// 250", "対照群 5%"): the clause word is read with its words, so a cap's
// word says it is a cap.
func (p *lineParser) clauseSample(after token, out *oneLine) *parseError {
	words := after.s
	if n, ok := p.peek(); ok && clauseWord(n) == "sample" { // "sample 最多 250": the cap's word is this clause's
		words += " " + n.s
		p.i++
	}
	g, err := p.group(after)
	if err != nil {
		return err
	}
	s, ok := parseSample(words + " " + g.text())
	if !ok || s == nil || s.Validate() != nil {
		return &parseError{Pos: g[0].pos, Key: "err.syntax.sample", Args: []any{"Word", g.text()}}
	}
	out.Sample = s
	return nil
}

// abLine is an A/B test as the one-liner wrote it: the other variants'
// texts (B first), each variant's share and the wait.
type abLine struct {
	Texts   []string
	Percent float64
	Wait    time.Duration
	Pos     int
}

// clauseAB reads `ab "B's text" ["C's" ["D's"]] 10% 4h`.
func (p *lineParser) clauseAB(after token, out *oneLine) *parseError {
	bad := func(tk token) *parseError {
		return &parseError{Pos: tk.pos, Key: "err.syntax.ab", Args: []any{"Max", herald.MaxVariants - 1}}
	}
	g, err := p.group(after)
	if err != nil { // "ab" and nothing: say how it is written
		return bad(token{pos: err.Pos})
	}
	ab := &abLine{Pos: after.pos}
	i := 0
	for ; i < len(g) && g[i].quoted; i++ {
		if strings.TrimSpace(g[i].s) == "" || len(ab.Texts) == herald.MaxVariants-1 {
			return bad(g[i])
		}
		ab.Texts = append(ab.Texts, g[i].s)
	}
	if len(ab.Texts) == 0 {
		return bad(g[0])
	}
	if i == len(g) {
		return bad(token{pos: g[i-1].pos})
	}
	split := g[i:]
	for _, tk := range split {
		if tk.quoted { // a text after the split
			return bad(tk)
		}
	}
	var ok bool
	if ab.Percent, ab.Wait, ok = parseSplit(split.text()); !ok {
		return bad(split[0])
	}
	out.AB = ab
	return nil
}

// oneLineAB sets the draft's A/B test from the one-liner's ab clause:
// each variant is the message with its own text (A's buttons, were there
// any), and variant A's band is the audience's sample, as the summary's
// 🆎 A/B test leaves it. "" when it is set; else what to tell the admin.
func (t *turn) oneLineAB(d *herald.Broadcast, ab *abLine) string {
	if k := d.Schedule.Kind; k == herald.SendRecurring || k == herald.SendUserLocal {
		return t.T("err.ab.timing")
	}
	test := &herald.ABTest{Percent: ab.Percent, Wait: ab.Wait, Seed: t.e.cfg.NewSeed()}
	for _, text := range ab.Texts {
		if bad := unknownPlaceholder(text); bad != "" {
			return t.T("err.text.placeholder", "Placeholder", bad)
		}
		if msg := t.textTooLong(d, text); msg != "" {
			return msg
		}
		c := d.Content
		c.Text, c.Spans = text, nil
		if !t.in.Formatted {
			c.Text, c.Spans = herald.ParseMarkup(text, t.in.Frontend == "slack")
		}
		test.Variants = append(test.Variants, c)
	}
	check := *d
	if check.Schedule.Kind == "" { // the timing is chosen at the summary
		check.Schedule.Kind = herald.SendNow
	}
	var ve *herald.ValidationError
	if err := test.Validate(&check); errors.As(err, &ve) {
		switch ve.Field {
		case "ab_test.percent":
			return t.T("err.ab.percent", "Count", test.N(), "Max", FormatPercent(math.Floor(1000/float64(test.N()))/10))
		case "ab_test.wait_minutes":
			return t.T("err.ab.wait")
		}
		return t.validationLine(err)
	}
	d.Test = test
	d.Audience.Sample = test.Band(1)
	return ""
}
