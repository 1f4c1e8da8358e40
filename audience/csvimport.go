package audience

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/heraldbot/herald"
)

// DefaultMaxCSVBytes is the upload limit used when ParseIDs gets 0.
const DefaultMaxCSVBytes = 20 << 20

// maxIssues bounds how many malformed lines are listed (all are counted),
// so a hostile file cannot make the report itself huge.
const maxIssues = 100

// ErrorKind names why a whole file was refused; flows and the API turn it
// into a localized sentence.
type ErrorKind string

// File-level refusals.
const (
	ErrTooLarge ErrorKind = "too_large" // Limit holds the byte limit
	ErrNotUTF8  ErrorKind = "not_utf8"  // Line holds the first bad line
	ErrNoIDs    ErrorKind = "no_ids"    // nothing usable in the file
	ErrRead     ErrorKind = "read"      // the upload could not be read
)

// ParseError refuses a whole file. Nothing is imported when it is returned.
type ParseError struct {
	Kind  ErrorKind
	Line  int   // 1-based, for ErrNotUTF8
	Limit int64 // bytes, for ErrTooLarge
	Err   error // for ErrRead
}

func (e *ParseError) Error() string {
	switch e.Kind {
	case ErrTooLarge:
		return fmt.Sprintf("audience: csv file is larger than the %d-byte limit", e.Limit)
	case ErrNotUTF8:
		return fmt.Sprintf("audience: csv file is not UTF-8 text (line %d); save it as CSV UTF-8", e.Line)
	case ErrNoIDs:
		return "audience: csv file holds no subscriber IDs"
	}
	return fmt.Sprintf("audience: read csv: %v", e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// IssueKind names why one line was skipped.
type IssueKind string

// Line-level problems: the line is skipped, the rest of the file is used.
const (
	IssueBadQuotes IssueKind = "bad_quotes" // an unclosed or stray quote
	IssueTooLong   IssueKind = "too_long"   // longer than any platform ID
	IssueBadChars  IssueKind = "bad_chars"  // spaces, control characters or separators inside the ID
	IssueEmptyID   IssueKind = "empty_id"   // other columns but no ID in the first
	// IssueBadPlatform: the platform column names no platform Herald knows.
	IssueBadPlatform IssueKind = "bad_platform"
)

// LineIssue is a skipped line.
type LineIssue struct {
	Line int
	Kind IssueKind
}

// Entry is one ID read from the file. Platform is set when the cell was
// written "platform:id" (the form Herald's own exports use), else "".
type Entry struct {
	Line     int
	Platform herald.Platform
	// Account is the named account a "platform@account:id" cell names
	// ("" for a bare ID or a platform's default account).
	Account string
	ID      string
}

// IDList is a parsed upload: unique entries in file order and what was
// skipped on the way.
type IDList struct {
	Entries []Entry
	// Duplicates counts repeated IDs collapsed into their first occurrence.
	Duplicates int
	// Malformed lists skipped lines (the first maxIssues); MalformedCount
	// counts them all.
	Malformed      []LineIssue
	MalformedCount int
	// HeaderLine is the line of the header row skipped (0: none).
	HeaderLine int
	// Columns is the widest row seen. The ID is read from the first column,
	// or the one a header names (id, user_id, psid…); a platform column (or
	// a first cell naming a platform) says whose ID it is, so one file may
	// list several platforms.
	Columns int
}

// ParseIDs reads a list of subscriber IDs from r (see IDList.Columns). maxBytes <= 0
// means DefaultMaxCSVBytes. Rules: UTF-8 only (a BOM is fine), CRLF or LF,
// blank lines ignored, cells trimmed and optionally quoted, separators ",",
// ";" or tab, a first row whose cell has no digit (or has a space) is a
// header (every platform's IDs contain digits), duplicates collapsed.
func ParseIDs(r io.Reader, maxBytes int64) (IDList, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxCSVBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return IDList{}, &ParseError{Kind: ErrRead, Err: err}
	}
	if int64(len(data)) > maxBytes {
		return IDList{}, &ParseError{Kind: ErrTooLarge, Limit: maxBytes}
	}
	if line, ok := firstInvalidUTF8Line(data); !ok {
		return IDList{}, &ParseError{Kind: ErrNotUTF8, Line: line}
	}
	// One conversion for the whole file; kept IDs are cloned out of it so
	// the upload is not pinned in memory by the Selected list.
	text := strings.TrimPrefix(string(data), "\ufeff")
	var out IDList
	seen := map[Entry]struct{}{}
	sawData := false
	idCol, platCol := 0, -1
	for n, rest := 1, text; len(rest) > 0 || n == 1; n++ {
		var row string
		row, rest, _ = strings.Cut(rest, "\n")
		cells, issue := SplitRow(strings.TrimSuffix(row, "\r"), anySep)
		out.Columns = max(out.Columns, len(cells))
		if issue == "" && allEmpty(cells) {
			continue // blank line or a row of empty cells
		}
		if !sawData && issue == "" {
			if cols, ok := HeaderColumns(cells); ok {
				idCol, platCol = columnsOf(cols)
				sawData, out.HeaderLine = true, n
				continue
			}
			if isHeader(cells[0]) {
				sawData, out.HeaderLine = true, n
				continue
			}
		}
		sawData = true
		var e Entry
		if issue == "" {
			e, issue = entryOf(cells, idCol, platCol)
		}
		if issue != "" {
			out.MalformedCount++
			if len(out.Malformed) < maxIssues {
				out.Malformed = append(out.Malformed, LineIssue{Line: n, Kind: issue})
			}
			continue
		}
		if _, dup := seen[e]; dup {
			out.Duplicates++
			continue
		}
		e.ID = strings.Clone(e.ID)
		seen[e] = struct{}{}
		e.Line = n
		out.Entries = append(out.Entries, e)
	}
	if len(out.Entries) == 0 && out.MalformedCount == 0 {
		return out, &ParseError{Kind: ErrNoIDs}
	}
	return out, nil
}

// firstInvalidUTF8Line finds the 1-based line of the first byte that is not
// UTF-8; ok is true when there is none.
func firstInvalidUTF8Line(data []byte) (line int, ok bool) {
	if utf8.Valid(data) {
		return 0, true
	}
	line = 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size == 1 {
			return line, false
		}
		if r == '\n' {
			line++
		}
		i += size
	}
	return line, false
}

// columnsOf finds the ID and platform columns of a header (-1: none).
func columnsOf(cols []Column) (id, platform int) {
	id, platform = 0, -1
	for _, c := range cols {
		switch c.Field {
		case FieldID:
			id = c.Index
		case FieldPlatform:
			platform = c.Index
		}
	}
	return id, platform
}

// entryOf reads one data row: the ID cell, with its platform from the
// platform column, a "platform:id" cell, or a first cell naming a platform
// ("telegram,12345" without a header).
func entryOf(cells []string, idCol, platCol int) (Entry, IssueKind) {
	if platCol < 0 && idCol == 0 && len(cells) >= 2 && cells[1] != "" {
		if _, err := herald.ParsePlatform(cells[0]); err == nil {
			platCol, idCol = 0, 1
		}
	}
	cell := cellAt(cells, idCol)
	if cell == "" {
		return Entry{}, IssueEmptyID
	}
	if issue := checkID(cell); issue != "" {
		return Entry{}, issue
	}
	e := splitPlatform(cell)
	if pc := cellAt(cells, platCol); pc != "" {
		p, err := herald.ParsePlatform(pc)
		if err != nil || (e.Platform != "" && e.Platform != p) {
			return Entry{}, IssueBadPlatform
		}
		e.Platform = p
	}
	return e, ""
}

func cellAt(cells []string, i int) string {
	if i < 0 || i >= len(cells) {
		return ""
	}
	return cells[i]
}

// isHeader recognises a header row of any wording ("id", "user_id", "LINE
// ID", "用戶"): subscriber IDs on every platform contain digits and never
// spaces.
func isHeader(cell string) bool {
	return !strings.ContainsAny(cell, "0123456789") || strings.ContainsFunc(cell, unicode.IsSpace)
}

func checkID(cell string) IssueKind {
	if len(cell) > herald.MaxSubscriberIDLen+len("messenger:") {
		return IssueTooLong
	}
	if strings.ContainsFunc(cell, func(r rune) bool {
		// A separator inside a quoted first cell ("U1,U2") is two IDs
		// pasted into one, or a name: no platform's ID has one.
		return unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError || r == '\ufeff' || r == '"' ||
			strings.ContainsRune(anySep, r)
	}) {
		return IssueBadChars
	}
	var ve *herald.ValidationError
	if errors.As(herald.ValidateSubscriberID(splitPlatform(cell).ID), &ve) {
		if ve.Code == herald.CodeTooLong {
			return IssueTooLong
		}
		return IssueEmptyID
	}
	return ""
}

// splitPlatform reads "platform:id" or "platform@account:id" (as
// herald.SubscriberKey.String writes them); anything else is a bare ID.
func splitPlatform(cell string) Entry {
	if before, after, ok := strings.Cut(cell, ":"); ok {
		before, account, named := strings.Cut(before, "@")
		if p, err := herald.ParsePlatform(before); err == nil && (!named || herald.ValidAccountName(account)) {
			return Entry{Platform: p, Account: account, ID: after}
		}
	}
	return Entry{ID: cell}
}
