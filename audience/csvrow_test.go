package audience_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald/audience"
)

// The streaming reader keeps empty cells in place (a tab-separated row with
// a missing name still has its tags in the fourth column), sniffs ";" from
// the header, and skips, rather than stops at, a bad line.
func TestRowReader(t *testing.T) {
	tests := []struct {
		name string
		file string
		want []audience.Row
	}{
		{"tabs keep empty cells", "platform\tid\tname\ttags\nline\tU1\t\tvip\n", []audience.Row{
			{Line: 1, Raw: "platform\tid\tname\ttags", Cells: []string{"platform", "id", "name", "tags"}},
			{Line: 2, Raw: "line\tU1\t\tvip", Cells: []string{"line", "U1", "", "vip"}},
		}},
		{"semicolons, quotes, BOM, CRLF, blank lines", "\ufeffid;name\r\n\r\n U1 ;\"Lee, \"\"Bo\"\"\"\r\n", []audience.Row{
			{Line: 1, Raw: "id;name", Cells: []string{"id", "name"}},
			{Line: 3, Raw: " U1 ;\"Lee, \"\"Bo\"\"\"", Cells: []string{"U1", `Lee, "Bo"`}},
		}},
		{"a bad line in the middle", "id\n\"U1\nU2\n\xff\xfe\nU3", []audience.Row{
			{Line: 1, Raw: "id", Cells: []string{"id"}},
			{Line: 2, Raw: "\"U1", Cells: []string{""}, Issue: audience.IssueBadQuotes},
			{Line: 3, Raw: "U2", Cells: []string{"U2"}},
			{Line: 4, Raw: "\ufffd", Issue: audience.IssueNotUTF8},
			{Line: 5, Raw: "U3", Cells: []string{"U3"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rr := audience.NewRowReader(strings.NewReader(tt.file))
			var got []audience.Row
			for {
				row, err := rr.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, row)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
	long := audience.NewRowReader(strings.NewReader("id\n" + strings.Repeat("x", 70<<10) + "\nU9\n"))
	_, _ = long.Next()
	if row, err := long.Next(); err != nil || row.Issue != audience.IssueTooLong || row.Line != 2 || len(row.Raw) != 256 {
		t.Errorf("a 70 KB line: %+v %v", row.Issue, err)
	}
	if row, _ := long.Next(); row.Line != 3 || row.Cells[0] != "U9" {
		t.Errorf("after the long line: %+v", row)
	}
}
