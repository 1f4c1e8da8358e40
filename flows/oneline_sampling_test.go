package flows

import (
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// The one-liner's ab clause, and the Japanese and Chinese words of the
// sampling clauses and of a repeat's end, whatever the admin's language.
func TestParseOneLineSamplingWords(t *testing.T) {
	tests := []struct {
		src  string
		want oneLine
	}{
		{`"Hi" ab "Hello" 10% 4h`, oneLine{Text: "Hi", Name: "Hi", AB: &abLine{Texts: []string{"Hello"}, Percent: 10, Wait: 4 * time.Hour, Pos: 5}}},
		{`"Hi" A/B "B" "C" "D" 30m 5% now`, oneLine{Text: "Hi", Name: "Hi", Timing: "now",
			AB: &abLine{Texts: []string{"B", "C", "D"}, Percent: 5, Wait: 30 * time.Minute, Pos: 5}}},
		{`"Hi" AB测试 「你好」 10％ 1d`, oneLine{Text: "Hi", Name: "Hi", AB: &abLine{Texts: []string{"你好"}, Percent: 10, Wait: 24 * time.Hour, Pos: 5}}},
		{`"Hi" 抽样10%`, oneLine{Text: "Hi", Name: "Hi", Sample: &herald.Sample{Percent: 10}}},
		{`"Hi" 最多250人`, oneLine{Text: "Hi", Name: "Hi", Sample: &herald.Sample{Max: 250}}},
		{`"Hi" 上限 250`, oneLine{Text: "Hi", Name: "Hi", Sample: &herald.Sample{Max: 250}}},
		{`"Hi" 対照群 5%`, oneLine{Text: "Hi", Name: "Hi", Sample: &herald.Sample{HoldoutPercent: 5}}},
		{`"Hi" sample 最多 250`, oneLine{Text: "Hi", Name: "Hi", Sample: &herald.Sample{Max: 250}}},
		{`"x" every 毎日 9:00 2027-03-06まで`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * *", End: "2027-03-06まで", EndPos: 22}},
		{`"x" every 每天 09:00 直到 2027-03-06`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * *", End: "直到 2027-03-06", EndPos: 23}},
	}
	for _, tt := range tests {
		wantParsed(t, tt.src, tt.want)
	}
	for src, key := range map[string]string{
		`"Hi" ab 10% 4h`:                  "err.syntax.ab", // no text
		`"Hi" ab "B"`:                     "err.syntax.ab", // no split
		`"Hi" ab "B" 10%`:                 "err.syntax.ab", // no wait
		`"Hi" ab "B" "C" "D" "E" 5% 1h`:   "err.syntax.ab", // five variants
		`"Hi" ab "B" 10% 4h "C"`:          "err.syntax.ab",
		`"Hi" ab "B" 10% 4h sample 10%`:   "err.syntax.sample_twice",
		`"Hi" 对照组 5% ab "B" 10% 4h`:       "err.syntax.sample_twice",
		`"Hi" ab "B" 10% 4h ab "C" 5% 1h`: "err.syntax.sample_twice",
	} {
		if _, perr := parseOneLine(src); perr == nil || perr.Key != key {
			t.Errorf("parseOneLine(%q) = %+v, want %s", src, perr, key)
		}
	}
	for end, want := range map[string]string{"2027-03-06まで": "2027-03-06", "2027-03-06 まで": "2027-03-06",
		"直到 2027-03-06": "2027-03-06", "直到2027-03-06": "2027-03-06", "截至 2027-03-06": "2027-03-06", "until 2027-03-06": "2027-03-06"} {
		until, _, ok := parseRecurringEnd(end, time.UTC)
		if got := until.Format("2006-01-02"); !ok || got != want {
			t.Errorf("parseRecurringEnd(%q) = %s, %v; want the end of %s", end, got, ok, want)
		}
	}
}

// A whole A/B test in one line: the summary says it as the 🆎 A/B test
// button leaves it, and Confirm stores the variants, share and wait; a
// mistake says how to write it, in the admin's language.
func TestOneLineABTest(t *testing.T) {
	h := sampleHarness(t)
	mustContain(t, h.send(`/new "Which is better?" on telegram ab "Or *this*?" 15% 2h now`),
		"🆎 A/B test: 2 variants, about 15% of the audience each; the winner goes to the rest 2 h after they go out",
		"B · Or *this*?", "👥 204 recipients in all — 🆎 A 15% ≈ ")
	h.press("sum:confirm")
	b := h.stored()
	if b.Test == nil || len(b.Test.Variants) != 1 || b.Test.Variants[0].Text != "Or this?" || len(b.Test.Variants[0].Spans) != 1 ||
		b.Test.Percent != 15 || b.Test.Wait != 2*time.Hour || b.Audience.Sample == nil || *b.Audience.Sample != *b.Test.Band(1) {
		t.Errorf("stored test %+v, sample %+v; want B (with its bold), 15%%, 2h on A's band", b.Test, b.Audience.Sample)
	}
	mustContain(t, h.send(`/new "Hi" on telegram ab "B" "C" 40% 1h now`), "with 3 variants, less than 33.3%")
	mustContain(t, h.send(`/new "Hi" on telegram ab "B" 0% 1h now`), "Give each variant more than 0%")
	mustContain(t, h.send(`/new "Hi" on telegram ab`), `Write an A/B test as ab "Variant B's text" 10% 4h`)
	mustContain(t, h.send(`/new "Hi" on telegram ab "B" 10% 1h every day 09:00`), "An A/B test goes out once")
	h.send("/lang ja")
	mustContain(t, h.send(`/new "Hi" on telegram ab 10% 4h`), `A/Bテストは ab "バリエーションBの本文" 10% 4h のように書いてください。`)
	mustContain(t, h.send(`/new "Hi" on telegram 抽样 150%`), "サンプル 10%（無作為に 10%）")
	h.send("/lang zh-CN")
	rs := h.send(`/new "Hi" on telegram AB测试 "你好" 10% 4小时 now`)
	mustContain(t, rs, "🆎 A/B 测试：2 个版本")
}

// A repeat's end reads as the admin's language writes it: 2027-03-06まで,
// 直到 2027-03-06, in the wizard and in /new.
func TestRecurringEndInJapaneseAndChinese(t *testing.T) {
	h := newHarness(t)
	for _, line := range []string{`/new "x" on telegram every 毎日 9:00 2027-03-06まで`, `/new "x" on telegram every 每天 09:00 直到 2027-03-06`} {
		h.send(line)
		if d := h.session().Draft; d.Schedule.Until.IsZero() || d.Schedule.Until.In(h.cfg.Location).Format("2006-01-02") != "2027-03-06" {
			t.Errorf("%s: until %v, want the end of 2027-03-06", line, d.Schedule.Until)
		}
		h.press(choiceCancel)
		h.press("wiz:discard")
	}
}
