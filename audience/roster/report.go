package roster

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/heraldbot/herald/audience"
)

// File formats Import reads.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

// Reason says why a row was skipped; the doors turn it into words
// (locales: import.reason.<reason>).
type Reason string

// Why rows are skipped.
const (
	ReasonBadQuotes          = Reason(audience.IssueBadQuotes) // an unclosed or stray quote
	ReasonTooLong            = Reason(audience.IssueTooLong)   // a line longer than any record
	ReasonNotUTF8            = Reason(audience.IssueNotUTF8)   // not UTF-8 text
	ReasonNoID        Reason = "no_id"                         // the ID cell is empty
	ReasonBadID       Reason = "bad_id"                        // too long, or spaces inside
	ReasonNotNumber   Reason = "not_a_number"                  // a Telegram or Messenger ID that is not a number
	ReasonNoPlatform  Reason = "no_platform"                   // no platform column and no default
	ReasonBadPlatform Reason = "bad_platform"                  // not line, telegram or messenger
	ReasonBadTimezone Reason = "bad_timezone"                  // not an IANA zone
	ReasonBadLocale   Reason = "bad_locale"                    // not a language tag
	ReasonBadJSON     Reason = "bad_json"                      // an NDJSON line that is not an object
	ReasonInvalid     Reason = "invalid"                       // storage refused it
)

// Reasons lists every Reason, for the locale completeness test and docs.
var Reasons = []Reason{ReasonBadQuotes, ReasonTooLong, ReasonNotUTF8, ReasonNoID, ReasonBadID, ReasonNotNumber,
	ReasonNoPlatform, ReasonBadPlatform, ReasonBadTimezone, ReasonBadLocale, ReasonBadJSON, ReasonInvalid}

// Rejected is a skipped row: its line, why, and its text as read.
type Rejected struct {
	Line   int
	Reason Reason
	Raw    string
}

// Report is what an import did: every row is created, updated, unchanged
// or skipped (a row naming someone already in the file counts again).
type Report struct {
	Format    string
	Rows      int
	Created   int
	Updated   int
	Unchanged int
	// Skipped lists every skipped row, in line order.
	Skipped []Rejected
}

func (r *Report) reject(rec record, why Reason) {
	r.Skipped = append(r.Skipped, Rejected{Line: rec.line, Reason: why, Raw: rec.raw})
}

func (r *Report) count(o outcome) {
	switch o {
	case created:
		r.Created++
	case updated:
		r.Updated++
	default:
		r.Unchanged++
	}
}

// ReasonCounts counts the skipped rows by reason, in Reasons' order.
func (r *Report) ReasonCounts() []ReasonCount {
	n := map[Reason]int{}
	for _, s := range r.Skipped {
		n[s.Reason]++
	}
	var out []ReasonCount
	for _, why := range Reasons {
		if n[why] > 0 {
			out = append(out, ReasonCount{why, n[why]})
		}
	}
	return out
}

// ReasonCount is how many rows were skipped for one reason.
type ReasonCount struct {
	Reason Reason
	Count  int
}

// String is the one-line English summary the CLI prints.
func (r *Report) String() string {
	return fmt.Sprintf("%d rows: %d created, %d updated, %d unchanged, %d skipped",
		r.Rows, r.Created, r.Updated, r.Unchanged, len(r.Skipped))
}

// WriteRejected writes the skipped rows as a CSV (line, reason, row) the
// team can fix and import again.
func (r *Report) WriteRejected(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"line", "reason", "row"})
	for _, s := range r.Skipped {
		_ = cw.Write([]string{strconv.Itoa(s.Line), string(s.Reason), s.Raw})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("roster: write rejected rows: %w", err)
	}
	return nil
}
