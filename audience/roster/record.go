package roster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// record is one row of a subscriber file, read but not yet stored.
type record struct {
	line   int
	raw    string
	key    herald.SubscriberKey
	name   string
	tz     string
	locale string
	tags   []string
	attrs  map[string]string
}

// source yields the records of a file, CSV or NDJSON; a row that cannot
// become a record comes back with its reason.
type source interface {
	next() (record, Reason, error)
}

// maxNDJSONLine bounds one NDJSON line (a record is a few hundred bytes).
const maxNDJSONLine = 64 << 10

// newSource sniffs the format: NDJSON when the first non-blank byte is
// "{", else CSV.
func newSource(r io.Reader, def herald.Platform) (source, string, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	head, err := br.Peek(512)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, "", fmt.Errorf("roster: read: %w", err)
	}
	head = bytes.TrimLeftFunc(bytes.TrimPrefix(head, []byte("\ufeff")), unicode.IsSpace)
	if len(head) > 0 && head[0] == '{' {
		sc := bufio.NewScanner(br)
		sc.Buffer(make([]byte, 0, 64<<10), maxNDJSONLine)
		return &ndjsonSource{sc: sc, def: def, v: newValidator()}, FormatNDJSON, nil
	}
	return &csvSource{rows: audience.NewRowReader(br), def: def, v: newValidator()}, FormatCSV, nil
}

// csvSource reads CSV rows: a header row names the columns (in any order,
// with aliases); without one a row is "id" or "platform,id".
type csvSource struct {
	rows    *audience.RowReader
	def     herald.Platform
	v       *validator
	cols    []audience.Column
	started bool
}

func (c *csvSource) next() (record, Reason, error) {
	row, err := c.rows.Next()
	if err != nil {
		return record{}, "", err
	}
	rec := record{line: row.Line, raw: row.Raw}
	if row.Issue != "" {
		return rec, Reason(row.Issue), nil
	}
	if !c.started {
		c.started = true
		if cols, ok := audience.HeaderColumns(row.Cells); ok {
			c.cols = cols
			return c.next()
		}
	}
	cols := c.cols
	if cols == nil {
		cols = headerless(row.Cells)
	}
	var platform, id, tags string
	for _, col := range cols {
		if col.Index >= len(row.Cells) {
			continue
		}
		v := row.Cells[col.Index]
		switch col.Field {
		case audience.FieldPlatform:
			platform = v
		case audience.FieldID:
			id = v
		case audience.FieldName:
			rec.name = v
		case audience.FieldTags:
			tags = v
		case audience.FieldTimezone:
			rec.tz = v
		case audience.FieldLocale:
			rec.locale = v
		case audience.FieldAttr:
			if v != "" {
				if rec.attrs == nil {
					rec.attrs = map[string]string{}
				}
				rec.attrs[col.Attr] = v
			}
		}
	}
	rec.tags = splitTags(tags)
	return rec, c.v.check(&rec, platform, id, c.def), nil
}

// headerless reads a row of a file without a header as the wizard's ID
// lists are written: "id" or "platform,id".
func headerless(cells []string) []audience.Column {
	if len(cells) >= 2 {
		if _, err := herald.ParsePlatform(cells[0]); err == nil {
			return []audience.Column{{Index: 0, Field: audience.FieldPlatform}, {Index: 1, Field: audience.FieldID}}
		}
	}
	return []audience.Column{{Index: 0, Field: audience.FieldID}}
}

// splitTags reads a tags cell: "vip|trial", "vip, trial" or "vip;trial".
func splitTags(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return herald.NormalizeTags(strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ',' || r == ';' }))
}

// ndjsonSource reads one JSON object per line, with the CSV header's
// names as keys ("id" or "user_id" or "psid", "attr.plan" or an
// "attributes" object; tags as an array or a string).
type ndjsonSource struct {
	sc   *bufio.Scanner
	def  herald.Platform
	v    *validator
	line int
}

func (n *ndjsonSource) next() (record, Reason, error) {
	for n.sc.Scan() {
		n.line++
		raw := string(bytes.TrimSpace(bytes.TrimPrefix(n.sc.Bytes(), []byte("\ufeff"))))
		if raw == "" {
			continue
		}
		rec := record{line: n.line, raw: raw}
		var obj map[string]any
		if err := json.Unmarshal([]byte(raw), &obj); err != nil {
			return rec, ReasonBadJSON, nil
		}
		var platform, id string
		for k, v := range obj {
			if k == "attributes" {
				m, _ := v.(map[string]any)
				for ak, av := range m {
					rec.setAttr(ak, jsonText(av))
				}
				continue
			}
			f, attr := audience.FieldOf(k)
			switch f {
			case audience.FieldPlatform:
				platform = jsonText(v)
			case audience.FieldID:
				id = jsonText(v)
			case audience.FieldName:
				rec.name = jsonText(v)
			case audience.FieldTimezone:
				rec.tz = jsonText(v)
			case audience.FieldLocale:
				rec.locale = jsonText(v)
			case audience.FieldAttr:
				rec.setAttr(attr, jsonText(v))
			case audience.FieldTags:
				if list, ok := v.([]any); ok {
					for _, t := range list {
						rec.tags = append(rec.tags, jsonText(t))
					}
					rec.tags = herald.NormalizeTags(rec.tags)
				} else {
					rec.tags = splitTags(jsonText(v))
				}
			}
		}
		return rec, n.v.check(&rec, platform, id, n.def), nil
	}
	if err := n.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return record{}, "", fmt.Errorf("roster: line %d is longer than %d bytes", n.line+1, maxNDJSONLine)
		}
		return record{}, "", fmt.Errorf("roster: read: %w", err)
	}
	return record{}, "", io.EOF
}

func (r *record) setAttr(k, v string) {
	if k = strings.TrimSpace(k); k == "" || v == "" {
		return
	}
	if r.attrs == nil {
		r.attrs = map[string]string{}
	}
	r.attrs[k] = v
}

// jsonText is a JSON scalar as text: IDs may come as numbers (Telegram).
func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%f", x), "0"), ".")
	case bool:
		return fmt.Sprint(x)
	}
	return ""
}

// validator checks a record as storage would, so one bad row is skipped
// instead of failing its whole batch. Time zones are remembered: loading
// one reads the zone database.
type validator struct{ zones map[string]bool }

func newValidator() *validator { return &validator{zones: map[string]bool{}} }

func (v *validator) check(rec *record, platform, id string, def herald.Platform) Reason {
	if id == "" {
		return ReasonNoID
	}
	// A platform may name a named account: "line@shop" (as an export
	// writes it), in the platform column or before the ID.
	acc := herald.Account{Platform: def}
	if platform != "" {
		var err error
		if acc, err = herald.ParseAccount(platform); err != nil {
			return ReasonBadPlatform
		}
	}
	if before, after, ok := strings.Cut(id, ":"); ok {
		if q, err := herald.ParseAccount(before); err == nil {
			if platform != "" && q != acc {
				return ReasonBadPlatform
			}
			acc, id = q, after
		}
	}
	p := acc.Platform
	if err := herald.ValidateSubscriberID(id); err != nil {
		return ReasonBadID
	}
	if strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '"' }) {
		return ReasonBadID
	}
	if p == "" {
		return ReasonNoPlatform
	}
	if p.HasNumericIDs() {
		if _, err := strconv.ParseInt(id, 10, 64); err != nil {
			return ReasonNotNumber
		}
	}
	rec.key = herald.SubscriberKey{Platform: p, Account: acc.Name, ID: id}
	if rec.tz != "" {
		ok, seen := v.zones[rec.tz]
		if !seen {
			_, err := time.LoadLocation(rec.tz)
			ok = err == nil
			v.zones[rec.tz] = ok
		}
		if !ok {
			return ReasonBadTimezone
		}
	}
	if rec.locale != "" && !validLocale(rec.locale) {
		return ReasonBadLocale
	}
	return ""
}

// validLocale accepts a BCP 47 tag's shape: letters, digits and hyphens,
// starting with a 2–3 letter language ("zh-TW", "en", "pt-BR").
func validLocale(s string) bool {
	lang, _, _ := strings.Cut(s, "-")
	if len(s) > 35 || len(lang) < 2 || len(lang) > 3 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	for _, r := range lang {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}
