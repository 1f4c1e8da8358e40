package flows

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/schedule"
)

func TestParseOneLine(t *testing.T) {
	tests := []struct {
		src  string
		want oneLine
	}{
		{`"Flash sale today!" to tag:vip,-tag:churned on telegram,line at 2026-12-01 09:00 user-tz`, oneLine{
			Text: "Flash sale today!", Name: "Flash sale today!",
			Terms:    []term{{pos: 23, include: "vip"}, {pos: 31, exclude: "churned"}},
			Channels: []herald.Platform{herald.Telegram, herald.LINE},
			Timing:   "user", At: "2026-12-01 09:00", AtPos: 64,
		}},
		{`"Hi {name|there}" now`, oneLine{Text: "Hi {name|there}", Name: "Hi {name|there}", Timing: "now"}},
		{`“彎引號也可以” on LINE named "Curly" every monday 09:30`, oneLine{
			Text: "彎引號也可以", Name: "Curly", Channels: []herald.Platform{herald.LINE}, Timing: "every", Cron: "30 9 * * 1"}},
		{`"x" to active:7d, attr:city=Taipei, groups every "0 9 * * 1-5"`, oneLine{
			Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * 1-5",
			Terms: []term{
				{pos: 7, activity: &herald.Activity{Op: herald.ActiveWithin, Period: 7 * 24 * time.Hour}},
				{pos: 18, attr: &herald.AttrCondition{Key: "city", Op: herald.AttrEq, Value: "Taipei"}},
				{pos: 36, recipients: herald.Groups},
			}}},
		{`"` + strings.Repeat("long ", 20) + `"`, oneLine{Text: strings.Repeat("long ", 20), Name: "long long long long long long long long…"}},
		{`"Night owls" now quiet 23:30 - 6:00`, oneLine{Text: "Night owls", Name: "Night owls", Timing: "now",
			Quiet: &herald.QuietHours{Start: "23:30", End: "06:00"}}},
		{`"x" QUIET Off every day 09:00`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * *",
			Quiet: &herald.QuietHours{Off: true}}},
		{`"x" every day 08:00 until 2027-01-10 on line`, oneLine{Text: "x", Name: "x", Channels: []herald.Platform{herald.LINE},
			Timing: "every", Cron: "0 8 * * *", End: "until 2027-01-10", EndPos: 20}},
		{`"x" every "0 9 * * 1-5" 10 times`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * 1-5", End: "10 times", EndPos: 24}},
		{`"x" every 每天 09:00 10次`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * *", End: "10次", EndPos: 23}},
		{`"x" every 毎日 9:00 10 回 sample 最大 250`, oneLine{Text: "x", Name: "x", Timing: "every", Cron: "0 9 * * *", End: "10 回", EndPos: 22,
			Sample: &herald.Sample{Max: 250}}},
	}
	for _, tt := range tests {
		wantParsed(t, tt.src, tt.want)
	}
}

// wantParsed checks that src parses as want.
func wantParsed(t *testing.T, src string, want oneLine) {
	t.Helper()
	got, perr := parseOneLine(src)
	if perr != nil {
		t.Errorf("parseOneLine(%q): error %s at %d", src, perr.Key, perr.Pos)
		return
	}
	if diff := cmp.Diff(want, *got, cmp.AllowUnexported(term{})); diff != "" {
		t.Errorf("parseOneLine(%q) (-want +got):\n%s", src, diff)
	}
}

func TestParseOneLineErrorsPointAtTheMistake(t *testing.T) {
	tests := []struct {
		src, key, caretUnder string
	}{
		{`Flash sale to tag:vip`, "err.syntax.text_first", "F"},
		{`"Flash sale to tag:vip`, "err.syntax.unclosed_quote", `"`},
		{`"" now`, "err.syntax.text_empty", `"`},
		{`"Sale" to tag:vip onn line`, "err.syntax.term", "o"},
		{`"Sale" to tag:vip on line,wechat`, "err.syntax.channel", "w"},
		{`"Sale" at 2026-13-01 09:00`, "err.syntax.date", "2"},
		{`"Sale" at tomorrow`, "err.syntax.date", "t"},
		{`"Sale" now at 2026-12-01 09:00`, "err.syntax.twice", "a"},
		{`"Sale" to`, "err.syntax.missing", ""},
		{`"Sale" to tag:`, "err.syntax.term", "t"},
		{`"Sale" to active:soon`, "err.syntax.days", "a"},
		{`"Sale" to attr:=x`, "err.syntax.attr", "a"},
		{`"Sale" every fortnight`, "err.syntax.every", "f"},
		{`"Sale" named Bob`, "err.syntax.name_quoted", "B"},
		{`"Sale" please`, "err.syntax.unknown_word", "p"},
		{`"限時特賣" 到 tag:vip`, "err.syntax.unknown_word", "到"},
		{`"Sale" quiet 10pm-7am`, "err.syntax.quiet", "1"},
		{`"Sale" quiet 08:00-08:00`, "err.syntax.quiet", "0"},
		{`"Sale" now quiet`, "err.syntax.missing", ""},
		{`"Sale" quiet off quiet 22:00-07:00`, "err.syntax.twice", "quiet 22"},
	}
	for _, tt := range tests {
		_, perr := parseOneLine(tt.src)
		if perr == nil {
			t.Errorf("parseOneLine(%q) succeeded; want %s", tt.src, tt.key)
			continue
		}
		if perr.Key != tt.key {
			t.Errorf("parseOneLine(%q) = %s, want %s", tt.src, perr.Key, tt.key)
		}
		if got := tt.src[perr.Pos:]; !strings.HasPrefix(got, tt.caretUnder) {
			t.Errorf("parseOneLine(%q): caret under %q, want under %q", tt.src, got, tt.caretUnder)
		}
	}
}

func TestCaretLinesUpUnderWideCharacters(t *testing.T) {
	src := `"限時特賣" 到`
	got := caret(src, strings.Index(src, "到"))
	want := src + "\n" + strings.Repeat(" ", 1+8+1+1) + "^"
	if got != want {
		t.Errorf("caret:\n%s\nwant:\n%s", got, want)
	}
}

// FuzzParseOneLine checks the parser never panics and every error points
// inside the line (the caret must land on it).
func FuzzParseOneLine(f *testing.F) {
	for _, s := range []string{
		`"Flash sale today!" to tag:vip,-tag:churned on telegram,line at 2026-12-01 09:00 user-tz`,
		`"x" every "0 9 * * 1-5" named "y"`, `“a” to attr:age>3, inactive:2w`, `"`, `「x」 now`, ``,
		`"x" quiet 22:00-07:30 now`, `"x" quiet off`, `"x" quiet 22:00 ～ 7:00`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, perr := parseOneLine(src)
		if perr != nil {
			if perr.Pos < 0 || perr.Pos > len(src) {
				t.Fatalf("error position %d outside %q", perr.Pos, src)
			}
			_ = caret(src, perr.Pos)
			return
		}
		if strings.TrimSpace(got.Text) == "" || got.Name == "" {
			t.Fatalf("parsed %q with empty text or name: %+v", src, got)
		}
		if utf8.ValidString(src) && !utf8.ValidString(got.Name) {
			t.Fatalf("name %q is not valid UTF-8", got.Name)
		}
		if got.Quiet != nil {
			if err := got.Quiet.Validate(); err != nil {
				t.Fatalf("accepted quiet hours %+v that do not validate: %v", got.Quiet, err)
			}
		}
		if got.Timing == "every" {
			if err := schedule.ValidateCron(got.Cron); err != nil {
				t.Fatalf("accepted cron %q the scheduler cannot parse: %v", got.Cron, err)
			}
		}
	})
}
