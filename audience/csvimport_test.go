package audience_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// known is the set of LINE users who have written to the bot.
func known(id string) bool { return strings.HasPrefix(id, "U1") }

func TestImportCSV(t *testing.T) {
	tests := []struct {
		name string
		file string
		want audience.Resolution
	}{
		{"plain list", "U100\nU101\n", audience.Resolution{Accepted: []string{"U100", "U101"}, Columns: 1}},
		{"no final newline, CRLF", "U100\r\nU101", audience.Resolution{Accepted: []string{"U100", "U101"}, Columns: 1}},
		{"UTF-8 BOM from Excel", "\ufeffU100\r\nU101\r\n", audience.Resolution{Accepted: []string{"U100", "U101"}, Columns: 1}},
		{"BOM before a header", "\ufeffuser_id\nU100\n", audience.Resolution{Accepted: []string{"U100"}, HeaderLine: 1, Columns: 1}},
		{"header of any wording", "LINE user ID\nU100\n", audience.Resolution{Accepted: []string{"U100"}, HeaderLine: 1, Columns: 1}},
		{"non-Latin header", "用戶\nU100\n", audience.Resolution{Accepted: []string{"U100"}, HeaderLine: 1, Columns: 1}},
		{"quoted header and IDs", "\"id\"\n\"U100\"\n  \"U101\"  \n", audience.Resolution{Accepted: []string{"U100", "U101"}, HeaderLine: 1, Columns: 1}},
		{"whitespace trimmed, blank lines ignored", "\n  U100 \t\n\n\r\n\tU101\n   \n", audience.Resolution{Accepted: []string{"U100", "U101"}, Columns: 1}},
		{"duplicates collapsed and counted", "U100\nU101\nU100\n\"U100\"\n", audience.Resolution{Accepted: []string{"U100", "U101"}, Duplicates: 2, Columns: 1}},
		{"platform prefix and bare ID are one person", "line:U100\nU100\n", audience.Resolution{Accepted: []string{"U100"}, Duplicates: 1, Columns: 1}},
		{"another platform's IDs", "U100\ntelegram:12345\n", audience.Resolution{Accepted: []string{"U100"}, OtherPlatform: 1, Columns: 1}},
		{"unknown IDs, first ten named", "U100\n" + lines("Z", 12), audience.Resolution{
			Accepted: []string{"U100"}, Unknown: 12, Columns: 1,
			UnknownIDs: []string{"Z0", "Z1", "Z2", "Z3", "Z4", "Z5", "Z6", "Z7", "Z8", "Z9"},
		}},
		{"several columns: the first is used", "id,name\nU100,Amy\nU101,\"Lee, Bo\"\n", audience.Resolution{Accepted: []string{"U100", "U101"}, HeaderLine: 1, Columns: 2}},
		{"semicolons from a European Excel", "U100;Amy;x\n", audience.Resolution{Accepted: []string{"U100"}, Columns: 3}},
		{"a row of empty cells is blank", "U100\n,,,\n;;\n", audience.Resolution{Accepted: []string{"U100"}, Columns: 4}},
		{"malformed lines reported with numbers", "id\nU100\n\"U101\nU1 02\n,Amy\n" + strings.Repeat("9", 200) + "\nU1\"0\nU103\n", audience.Resolution{
			Accepted: []string{"U100", "U103"}, HeaderLine: 1, Columns: 2, MalformedCount: 5,
			Malformed: []audience.LineIssue{{3, audience.IssueBadQuotes}, {4, audience.IssueBadChars}, {5, audience.IssueEmptyID}, {6, audience.IssueTooLong}, {7, audience.IssueBadQuotes}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := audience.ParseIDs(strings.NewReader(tt.file), 0)
			if err != nil {
				t.Fatalf("ParseIDs: %v", err)
			}
			tt.want.Platform = herald.LINE
			if diff := cmp.Diff(tt.want, l.Resolve(herald.LINE, known)); diff != "" {
				t.Errorf("import report (-want +got):\n%s", diff)
			}
		})
	}
}

func lines(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(prefix + string(rune('0'+i%10)))
		if i >= 10 {
			b.WriteString("x")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestImportCSVRefusals(t *testing.T) {
	big := strings.Repeat("U100\n", 30) // 150 bytes
	tests := []struct {
		name string
		file string
		max  int64
		want audience.ParseError
	}{
		{"Big5 file", "id\nU100\n\xa4\xa4\xa4\xe5\nU101\n", 0, audience.ParseError{Kind: audience.ErrNotUTF8, Line: 3}},
		{"Latin-1 on the first line", "caf\xe9\n", 0, audience.ParseError{Kind: audience.ErrNotUTF8, Line: 1}},
		{"UTF-16 export", "\xff\xfeU\x001\x00", 0, audience.ParseError{Kind: audience.ErrNotUTF8, Line: 1}},
		{"over the limit", big, 100, audience.ParseError{Kind: audience.ErrTooLarge, Limit: 100}},
		{"empty file", "", 0, audience.ParseError{Kind: audience.ErrNoIDs}},
		{"only a header", "\ufeffuser id\r\n\r\n", 0, audience.ParseError{Kind: audience.ErrNoIDs}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := audience.ParseIDs(strings.NewReader(tt.file), tt.max)
			var pe *audience.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *ParseError", err)
			}
			if diff := cmp.Diff(tt.want, *pe); diff != "" {
				t.Errorf("refusal (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(pe.Error(), "audience: ") {
				t.Errorf("message %q lacks the package prefix", pe.Error())
			}
		})
	}
	_, err := audience.ParseIDs(strings.NewReader(big), 100)
	if !strings.Contains(err.Error(), "100-byte limit") {
		t.Errorf("oversize message %q does not carry the limit", err)
	}
	if _, err := audience.ParseIDs(strings.NewReader(big), int64(len(big))); err != nil {
		t.Errorf("a file exactly at the limit is refused: %v", err)
	}
}

func TestImportCSVDefaultLimitIs20MB(t *testing.T) {
	if audience.DefaultMaxCSVBytes != 20<<20 {
		t.Fatalf("DefaultMaxCSVBytes = %d", audience.DefaultMaxCSVBytes)
	}
	over := bytes.Repeat([]byte("U100\n"), (20<<20)/5+1)
	_, err := audience.ParseIDs(bytes.NewReader(over), 0)
	var pe *audience.ParseError
	if !errors.As(err, &pe) || pe.Kind != audience.ErrTooLarge || pe.Limit != 20<<20 {
		t.Errorf("a 20 MB+5 B file: err = %v, want too_large with the 20 MB limit", err)
	}
}

func TestImportResolvesAgainstTheIndex(t *testing.T) {
	x := newIndex(population())
	l, err := audience.ParseIDs(strings.NewReader("id\nl1\nl2\nu1\nzz9\nline:l3\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	res := l.Resolve(herald.LINE, func(id string) bool { return x.Reachable(herald.SubscriberKey{Platform: herald.LINE, ID: id}) })
	// u1 unsubscribed: not reachable, so not accepted.
	want := []string{"l1", "l2", "l3"}
	if !cmp.Equal(want, res.Accepted) || res.Unknown != 2 || !cmp.Equal([]string{"u1", "zz9"}, res.UnknownIDs) {
		t.Errorf("accepted %v unknown %d %v; want %v and u1, zz9 unknown", res.Accepted, res.Unknown, res.UnknownIDs, want)
	}
}

// FuzzParseIDs feeds hostile files: ParseIDs must not panic, and whatever it
// accepts must be clean IDs a platform could have issued.
func FuzzParseIDs(f *testing.F) {
	for _, seed := range []string{
		"U100\n", "\ufeffid\r\nU1\r\n", "\"U1\"\"x\",y\n", "\"\n\"", ",,,\n", "\xff\xfe", "line:U1\ntg:5\n",
		"a\rb\rc", "\"unterminated", "id;name\n1;\"a;b\"\n", strings.Repeat("9", 300),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := audience.ParseIDs(bytes.NewReader(data), 1<<16)
		if err != nil {
			var pe *audience.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatal("accepted a non-UTF-8 file")
		}
		seen := map[audience.Entry]bool{}
		for _, e := range l.Entries {
			if e.ID == "" || len(e.ID) > 128 || strings.ContainsAny(e.ID, " \t\r\n\"") || !utf8.ValidString(e.ID) {
				t.Fatalf("accepted ID %q on line %d", e.ID, e.Line)
			}
			k := audience.Entry{Platform: e.Platform, ID: e.ID}
			if seen[k] {
				t.Fatalf("duplicate %q kept", e.ID)
			}
			seen[k] = true
		}
		res := l.Resolve(herald.Telegram, func(string) bool { return true })
		if len(res.Accepted)+res.Unknown+res.OtherPlatform+res.Duplicates-l.Duplicates != len(l.Entries) {
			t.Fatalf("resolution loses entries: %+v from %d", res, len(l.Entries))
		}
	})
}
