package herald

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode/utf8"
)

// Origin is the admin chat a broadcast was made in; progress, reports and
// status changes are posted back there.
type Origin struct {
	Frontend string // "slack", "telegram", "console" or "api"
	ChatID   string // Slack channel or Telegram chat ID
	ThreadID string // Slack thread ts or Telegram topic, if any
	UserID   string // the admin who made it
	UserName string
}

// Broadcast is one message to an audience, with its timing and life cycle.
type Broadcast struct {
	ID       string // e.g. "B-7K2Q"; see NewBroadcastID
	Name     string
	Origin   Origin
	Audience Audience
	Content  Content
	Category Category
	Tag      MessageTag // Messenger tag for non-marketing broadcasts
	Schedule Schedule
	// EndOperatorChats closes open operator chats instead of holding those
	// recipients until their chat ends.
	EndOperatorChats bool
	Status           Status
	CreatedAt        time.Time
	UpdatedAt        time.Time
	CreatedBy        string
	UpdatedBy        string
	ApprovedBy       string
	// Runs counts the runs started so far (recurring broadcasts have many).
	Runs int
	// Test makes the broadcast an A/B test, its Content variant A.
	Test *ABTest
	// ABPart marks a variant or the rest of another broadcast's test.
	ABPart *ABPart
	// Step marks a sequence's hidden step broadcast (see Sequence).
	Step *StepOf
}

// MaxNameLen bounds a broadcast's name so it fits in buttons and lists.
const MaxNameLen = 80

// validateName checks a broadcast's or a sequence's name: set, and short
// enough for buttons and lists.
func validateName(name string) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return invalid("name", CodeRequired, 0)
	case utf8.RuneCountInString(name) > MaxNameLen:
		return invalid("name", CodeTooLong, MaxNameLen)
	}
	return nil
}

// Validate checks everything needed before a broadcast can be scheduled.
// Drafts are stored without it.
func (b *Broadcast) Validate() error {
	if err := validateName(b.Name); err != nil {
		return err
	}
	if err := b.Audience.Validate(); err != nil {
		return err
	}
	if err := b.Content.Validate(); err != nil {
		return err
	}
	if limit := b.TextLimit(); utf8.RuneCountInString(b.Content.Text) > limit {
		return invalid("content.text", CodeTooLong, limit)
	}
	if limit := b.ButtonLimit(); b.Content.MostButtons() > limit {
		return invalid("content.buttons", CodeTooMany, limit)
	}
	if b.Audience.HasChannel(Messenger) {
		switch b.Category {
		case Marketing:
		case NonMarketing:
			if !b.Tag.Valid() {
				return invalid("tag", CodeInvalid, 0)
			}
		default:
			return invalid("category", CodeRequired, 0)
		}
	}
	if b.Test != nil {
		if err := b.Test.Validate(b); err != nil {
			return err
		}
	}
	return b.Schedule.Validate()
}

// ButtonLimit is the most buttons every chosen channel can show.
func (b *Broadcast) ButtonLimit() int {
	limit := MaxButtonMax
	for _, p := range b.Audience.Channels {
		limit = min(limit, p.MaxButtons())
	}
	return limit
}

// TextLimit is the longest text every chosen channel takes, so the limit
// an admin is told is the one that matters for this broadcast.
func (b *Broadcast) TextLimit() int {
	limit := MaxTextLen
	for _, p := range b.Audience.Channels {
		limit = min(limit, p.MaxText())
	}
	return limit
}

// idAlphabet is Crockford's base32 without 0/O, 1/I/L and U: IDs are read
// aloud and typed by people, so no two characters look alike.
const idAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewBroadcastID returns a fresh short ID such as "B-7K2Q" (about 810,000
// values; storage retries on a collision and grows the length when crowded).
func NewBroadcastID(n int) string {
	if n < 4 {
		n = 4
	}
	buf := make([]byte, n)
	_, _ = rand.Read(buf) // crypto/rand.Read never fails on supported systems
	for i, c := range buf {
		buf[i] = idAlphabet[int(c)%len(idAlphabet)]
	}
	return "B-" + string(buf)
}

// NormalizeBroadcastID reads an ID the way people type it ("7k2q", "b-7K2Q",
// " B-7K2Q ") and returns its canonical form, or "" when s cannot be an ID.
func NormalizeBroadcastID(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(s, "B-"); ok {
		s = rest
	} else if len(s) > 4 && s[0] == 'B' {
		// "B7K2Q" is B-7K2Q; but "BCDE" is the bare ID B-BCDE (B is in the
		// alphabet), so a bare B is only a prefix when 4 characters remain.
		s = s[1:]
	}
	if len(s) < 4 || len(s) > 8 {
		return ""
	}
	for _, c := range s {
		if !strings.ContainsRune(idAlphabet, c) {
			return ""
		}
	}
	return "B-" + s
}
