package audience_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald/audience"
)

// FuzzCSVImport checks that an upload's report adds up, whatever the file:
// every line is blank, the header, an ID, a duplicate or a skipped line —
// one of them, never two — so the counts an admin reads before sending
// match the file; each ID kept is the first cell of the line it names;
// and the kept list, written back as Herald's own export, reads back the
// same. (FuzzParseIDs checks that the IDs are clean; this one checks the
// accounting.)
func FuzzCSVImport(f *testing.F) {
	for _, seed := range []string{
		"id\nU100\nU101\n", "U1\r\n\r\nU1\r\nline:U1\n", "\"id\",name\n\"U1\",\"a,b\"\n;;\n,x\n",
		"user id\nabc\n9 9\n", "\ufeff\ufeff1\n", "telegram:5\ntelegram:\n:5\nfoo:5\n", "\"\"\"\"\n\"a\"b\n",
		"1\x002\n\x85\n", "1,\"\n2\n", "\n\n\n",
	} {
		f.Add([]byte(seed), int64(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, limit int64) {
		limit %= 1 << 16
		limit = max(limit, -limit) + 1 // 1 … 65536 bytes
		l, err := audience.ParseIDs(bytes.NewReader(data), limit)
		var pe *audience.ParseError
		switch {
		case int64(len(data)) > limit:
			if !errors.As(err, &pe) || pe.Kind != audience.ErrTooLarge || pe.Limit != limit {
				t.Fatalf("%d bytes over a %d-byte limit: err = %v, want too_large", len(data), limit, err)
			}
			return
		case !utf8.Valid(data):
			if !errors.As(err, &pe) || pe.Kind != audience.ErrNotUTF8 || pe.Line < 1 || pe.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("a non-UTF-8 file: err = %v, want not_utf8 with a line of the file", err)
			}
			return
		case err != nil:
			if !errors.As(err, &pe) || pe.Kind != audience.ErrNoIDs || len(l.Entries) != 0 || l.MalformedCount != 0 {
				t.Fatalf("a UTF-8 file within the limit: err = %v with %d entries, %d malformed", err, len(l.Entries), l.MalformedCount)
			}
		}
		rows := strings.Split(strings.TrimPrefix(string(data), "\ufeff"), "\n")
		checkAccounting(t, rows, l)
		checkRoundTrip(t, l)
	})
}

// checkAccounting: the lines the report names are distinct lines of the
// file, and no more lines are counted than the file has.
func checkAccounting(t *testing.T, rows []string, l audience.IDList) {
	t.Helper()
	if l.MalformedCount < len(l.Malformed) || len(l.Malformed) > 100 {
		t.Fatalf("%d malformed lines listed, %d counted", len(l.Malformed), l.MalformedCount)
	}
	used := map[int]string{}
	claim := func(line int, as string) {
		if line < 1 || line > len(rows) {
			t.Fatalf("%s on line %d of a %d-line file", as, line, len(rows))
		}
		if prev, ok := used[line]; ok {
			t.Fatalf("line %d is both %s and %s", line, prev, as)
		}
		used[line] = as
	}
	if l.HeaderLine > 0 {
		claim(l.HeaderLine, "the header")
	}
	for _, e := range l.Entries {
		claim(e.Line, "ID "+e.ID)
		if !strings.Contains(rows[e.Line-1], e.ID) {
			t.Fatalf("ID %q is not on its line %d: %q", e.ID, e.Line, rows[e.Line-1])
		}
		if l.HeaderLine > e.Line {
			t.Fatalf("header on line %d after the ID on line %d", l.HeaderLine, e.Line)
		}
	}
	for _, m := range l.Malformed {
		claim(m.Line, "skipped ("+string(m.Kind)+")")
	}
	if !slices.IsSortedFunc(l.Malformed, func(a, b audience.LineIssue) int { return a.Line - b.Line }) {
		t.Fatalf("skipped lines out of order: %v", l.Malformed)
	}
	counted := len(l.Entries) + l.Duplicates + l.MalformedCount
	if l.HeaderLine > 0 {
		counted++
	}
	if counted > len(rows) {
		t.Fatalf("%d lines counted in a %d-line file", counted, len(rows))
	}
}

// checkRoundTrip writes the kept IDs back one per line under a header, as
// an export would, and reads them again: the same IDs, nothing skipped.
func checkRoundTrip(t *testing.T, l audience.IDList) {
	t.Helper()
	if len(l.Entries) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString("id\n")
	for _, e := range l.Entries {
		if e.Platform != "" {
			b.WriteString(string(e.Platform) + ":")
		}
		b.WriteString(e.ID + "\n")
	}
	again, err := audience.ParseIDs(strings.NewReader(b.String()), 0)
	if err != nil {
		t.Fatalf("the kept IDs, written back, are refused: %v\n%s", err, b.String())
	}
	strip := func(es []audience.Entry) []audience.Entry {
		out := slices.Clone(es)
		for i := range out {
			out[i].Line = 0
		}
		return out
	}
	if diff := cmp.Diff(strip(l.Entries), strip(again.Entries)); diff != "" || again.MalformedCount != 0 || again.Duplicates != 0 {
		t.Fatalf("the kept IDs read back differently (-first +again, %d skipped, %d duplicates):\n%s", again.MalformedCount, again.Duplicates, diff)
	}
}
