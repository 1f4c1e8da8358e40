package flows

import (
	"testing"

	"github.com/heraldbot/herald"
)

// The sample step and the one-liner's sample clause read the Japanese and
// Chinese words for a cap, a percent and a control group too.
func TestSampleWordsInEveryLanguage(t *testing.T) {
	tests := []struct {
		in   string
		want *herald.Sample // nil: everyone
		ok   bool
	}{
		{"max 250", &herald.Sample{Max: 250}, true},
		{"250 people", &herald.Sample{Max: 250}, true},
		{"最多 250", &herald.Sample{Max: 250}, true},
		{"最多250人", &herald.Sample{Max: 250}, true},
		{"至多 250", &herald.Sample{Max: 250}, true},
		{"上限 250", &herald.Sample{Max: 250}, true},
		{"上限250名", &herald.Sample{Max: 250}, true},
		{"最大 250", &herald.Sample{Max: 250}, true},
		{"最大２５０人まで", &herald.Sample{Max: 250}, true},
		{"250人", &herald.Sample{Max: 250}, true},
		{"250名まで", &herald.Sample{Max: 250}, true},
		{"抽样 10%", &herald.Sample{Percent: 10}, true},
		{"抽樣 10％", &herald.Sample{Percent: 10}, true},
		{"随机 10%", &herald.Sample{Percent: 10}, true},
		{"サンプル 10%", &herald.Sample{Percent: 10}, true},
		{"ランダム10%", &herald.Sample{Percent: 10}, true},
		{"对照组 5%", &herald.Sample{HoldoutPercent: 5}, true},
		{"對照組 5%", &herald.Sample{HoldoutPercent: 5}, true},
		{"対照群 5%", &herald.Sample{HoldoutPercent: 5}, true},
		{"ホールドアウト 5%", &herald.Sample{HoldoutPercent: 5}, true},
		{"所有人", nil, true},
		{"全員", nil, true},
		{"人", nil, false},
		{"最多", nil, false},
		{"最多 人", nil, false},
	}
	for _, tt := range tests {
		got, ok := parseSample(tt.in)
		if ok != tt.ok || (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("parseSample(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// The sample step takes them as typed, in the admin's language.
func TestSampleStepReadsJapaneseAndChineseWords(t *testing.T) {
	h := sampleHarness(t)
	h.send("/lang zh-CN")
	h.walkTo(stepSummary)
	h.press("ed:audience")
	h.press("aud:sample")
	h.send("最多 25 人")
	if s := h.session().Draft.Audience.Sample; s == nil || s.Max != 25 {
		t.Errorf("sample after 最多 25 人: %+v", s)
	}
}
