package audience

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is Herald's one CSV dialect, shared by the wizard's list of
// IDs (ParseIDs) and the subscriber import (audience/roster): files as
// teams export them from spreadsheets and CRMs. A row is one line (CRLF or
// LF); a UTF-8 BOM is dropped; cells are separated by ",", ";" or tab,
// trimmed, and may be quoted ("" is a quote inside quotes). A quoted cell
// cannot span lines: a stray quote then spoils one line, not the rest of
// the file.

// anySep accepts every separator in one row: ParseIDs reads only one or
// two cells and never mistakes one for another.
const anySep = ",;\t"

// SplitRow splits one line into trimmed, unquoted cells; seps are the
// separator bytes (one, or several for anySep). A row with an unclosed or
// stray quote is IssueBadQuotes with one cell counted.
func SplitRow(row string, seps string) (cells []string, issue IssueKind) {
	// Spaces pad cells; a tab does too unless it separates them.
	pad := func(r rune) bool { return unicode.IsSpace(r) && (seps == anySep || !strings.ContainsRune(seps, r)) }
	s := strings.TrimFunc(row, pad)
	if s == "" {
		return nil, ""
	}
	for {
		s = strings.TrimLeftFunc(s, pad)
		var cell string
		if strings.HasPrefix(s, `"`) {
			end, unq, ok := quotedCell(s)
			if !ok {
				return []string{""}, IssueBadQuotes
			}
			s = strings.TrimLeftFunc(s[end:], pad)
			if s != "" && !strings.ContainsRune(seps, rune(s[0])) {
				return []string{""}, IssueBadQuotes
			}
			cell = strings.TrimFunc(unq, pad)
		} else {
			end := strings.IndexAny(s, seps)
			if end < 0 {
				end = len(s)
			}
			cell = strings.TrimFunc(s[:end], pad)
			if strings.Contains(cell, `"`) {
				return []string{""}, IssueBadQuotes
			}
			s = s[end:]
		}
		cells = append(cells, cell)
		if s == "" {
			return cells, ""
		}
		s = s[1:] // the separator
		if strings.TrimFunc(s, pad) == "" {
			return append(cells, ""), ""
		}
	}
}

// quotedCell reads the quoted cell at the start of s: the index after its
// closing quote and its text with "" decoded.
func quotedCell(s string) (end int, text string, ok bool) {
	var b strings.Builder
	i := 1
	for {
		j := strings.IndexByte(s[i:], '"')
		if j < 0 {
			return 0, "", false
		}
		b.WriteString(s[i : i+j])
		i += j + 1
		if !strings.HasPrefix(s[i:], `"`) {
			return i, b.String(), true
		}
		b.WriteByte('"')
		i++
	}
}

// SniffSeparator picks the separator of a file from its first row: the
// most frequent of ",", ";" and tab outside quotes (a European Excel
// writes ";"); "," when there is none.
func SniffSeparator(row string) string {
	counts := map[byte]int{}
	quoted := false
	for i := 0; i < len(row); i++ {
		switch c := row[i]; {
		case c == '"':
			quoted = !quoted
		case !quoted && strings.IndexByte(anySep, c) >= 0:
			counts[c]++
		}
	}
	best := byte(',')
	for _, c := range []byte{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return string(best)
}

// RowReader streams a CSV a row at a time, for files too large to hold
// (a million-line import): the separator is sniffed from the first
// non-blank row, blank rows are skipped.
type RowReader struct {
	br   *bufio.Reader
	line int
	sep  string
}

// Row is one non-blank line: its 1-based number, its text (without line
// ending) and its cells; Issue is set when it cannot be split.
type Row struct {
	Line  int
	Raw   string
	Cells []string
	Issue IssueKind
}

// IssueNotUTF8 marks a row that is not UTF-8 text; the import skips it.
const IssueNotUTF8 IssueKind = "not_utf8"

// maxRowBytes bounds one line: longer ones are skipped as IssueTooLong
// without being held whole.
const maxRowBytes = 64 << 10

// NewRowReader reads rows from r.
func NewRowReader(r io.Reader) *RowReader {
	return &RowReader{br: bufio.NewReaderSize(r, 256<<10)}
}

// Separator is the sniffed separator ("" before the first row).
func (rr *RowReader) Separator() string { return rr.sep }

// Next returns the next non-blank row, or io.EOF.
func (rr *RowReader) Next() (Row, error) {
	for {
		raw, err := rr.readLine()
		if err != nil {
			return Row{}, err
		}
		rr.line++
		if rr.line == 1 {
			raw = strings.TrimPrefix(raw, "\ufeff")
		}
		row := Row{Line: rr.line, Raw: raw}
		switch {
		case len(raw) > maxRowBytes:
			row.Raw, row.Issue = strings.ToValidUTF8(raw[:256], ""), IssueTooLong
			return row, nil
		case !utf8.ValidString(raw):
			row.Raw, row.Issue = strings.ToValidUTF8(raw, "\ufffd"), IssueNotUTF8
			return row, nil
		case strings.TrimSpace(raw) == "":
			continue
		}
		if rr.sep == "" {
			rr.sep = SniffSeparator(raw)
		}
		row.Cells, row.Issue = SplitRow(raw, rr.sep)
		if row.Issue == "" && allEmpty(row.Cells) {
			continue
		}
		return row, nil
	}
}

// readLine reads one line without its ending; the last line may lack one.
func (rr *RowReader) readLine() (string, error) {
	var b []byte
	for {
		chunk, err := rr.br.ReadSlice('\n')
		if len(b) <= maxRowBytes+1 {
			b = append(b, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(b) > 0:
			return strings.TrimSuffix(string(b), "\r"), nil
		case err != nil:
			if !errors.Is(err, io.EOF) {
				err = fmt.Errorf("audience: read csv: %w", err)
			}
			return "", err
		}
		return strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r"), nil
	}
}

func allEmpty(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return false
		}
	}
	return true
}
