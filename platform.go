package herald

import (
	"fmt"
	"strings"
)

// Platform is an end-user messaging platform a broadcast is delivered on.
type Platform string

// The platforms Herald delivers to.
const (
	LINE      Platform = "line"
	Telegram  Platform = "telegram"
	Messenger Platform = "messenger"
)

// Platforms lists every delivery platform in display order.
var Platforms = []Platform{LINE, Telegram, Messenger}

// ParsePlatform accepts the platform names admins type ("LINE", "tg", "fb").
func ParsePlatform(s string) (Platform, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "line":
		return LINE, nil
	case "telegram", "tg":
		return Telegram, nil
	case "messenger", "facebook", "fb":
		return Messenger, nil
	}
	return "", fmt.Errorf("unknown platform %q", s)
}

// Valid reports whether p is one of Platforms.
func (p Platform) Valid() bool {
	return p == LINE || p == Telegram || p == Messenger
}

// HasGroups reports whether broadcasts on p can target group chats.
// Messenger pages only talk to people.
func (p Platform) HasGroups() bool { return p == LINE || p == Telegram }

// HasNumericIDs reports whether p's IDs are numbers (Telegram's chat IDs,
// Messenger's PSIDs): a name or an @handle there can't be sent to, so the
// doors that take an ID typed by a person refuse it.
func (p Platform) HasNumericIDs() bool { return p == Telegram || p == Messenger }

// MaxButtons is how many buttons one message can carry on p: LINE's
// buttons template takes 4 actions, Messenger's button template 3; Telegram's
// inline keyboard is capped by Herald at 8 so messages stay readable.
func (p Platform) MaxButtons() int {
	switch p {
	case LINE:
		return 4
	case Messenger:
		return 3
	default:
		return 8
	}
}

// MaxText is how many characters one text message can carry on p: LINE
// takes 5,000, Telegram 4,096, Messenger 2,000.
func (p Platform) MaxText() int {
	switch p {
	case Telegram:
		return 4096
	case Messenger:
		return 2000
	default:
		return MaxTextLen
	}
}

// RecipientKind says whether a broadcast goes to people, group chats or both.
type RecipientKind string

// Recipient kinds.
const (
	Users  RecipientKind = "users"
	Groups RecipientKind = "groups"
	Both   RecipientKind = "both"
)

// Includes reports whether a subscriber of kind k is covered by r.
func (r RecipientKind) Includes(k SubscriberKind) bool {
	switch r {
	case Users, "":
		return k == KindUser
	case Groups:
		return k == KindGroup
	case Both:
		return true
	}
	return false
}
