package herald

import (
	"slices"
	"strings"
	"time"
)

// SubscriberKind separates people from group chats.
type SubscriberKind string

// Subscriber kinds.
const (
	KindUser  SubscriberKind = "user"
	KindGroup SubscriberKind = "group"
)

// SubscriberState says whether a subscriber may receive broadcasts.
type SubscriberState string

// Subscriber states. Only Subscribed recipients are ever targeted.
const (
	Subscribed   SubscriberState = "subscribed"
	Unsubscribed SubscriberState = "unsubscribed" // said stop, unfollowed
	Blocked      SubscriberState = "blocked"      // the platform says unreachable
)

// MessagingWindow is Messenger's standard messaging window: marketing
// messages may only go to people who wrote to the page within it.
const MessagingWindow = 24 * time.Hour

// SubscriberKey names a subscriber on its platform.
type SubscriberKey struct {
	Platform Platform
	// Account is the platform account's name ("" the default account):
	// the same person following two LINE channels is two subscribers.
	Account string
	ID      string // platform user, group or chat ID
}

// MaxSubscriberIDLen is the longest subscriber ID (in bytes) Herald stores.
// Every door that takes an ID (the API's path, inbound webhooks, CSV
// imports) checks it with ValidateSubscriberID, so they refuse alike.
const MaxSubscriberIDLen = 128

// ValidateSubscriberID checks a platform user, group or chat ID as every door
// receives it: blank is CodeRequired, longer than MaxSubscriberIDLen bytes is
// CodeTooLong, both on field "id".
func ValidateSubscriberID(id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return invalid("id", CodeRequired, 0)
	case len(id) > MaxSubscriberIDLen:
		return invalid("id", CodeTooLong, MaxSubscriberIDLen)
	}
	return nil
}

// String renders the key as "platform:id" ("platform@account:id" for a
// named account), the form used in logs and CSVs. The default account's
// keys read as they did before accounts existed.
func (k SubscriberKey) String() string {
	if k.Account == "" {
		return string(k.Platform) + ":" + k.ID
	}
	return string(k.Platform) + "@" + k.Account + ":" + k.ID
}

// ParseSubscriberKey reads a key as String writes it ("line:U1234",
// "line@shop:U1234").
func ParseSubscriberKey(s string) (SubscriberKey, error) {
	before, id, ok := strings.Cut(s, ":")
	if !ok {
		return SubscriberKey{}, invalid("id", CodeInvalid, 0)
	}
	before, account, named := strings.Cut(before, "@")
	p, err := ParsePlatform(before)
	if err != nil || named && !ValidAccountName(account) {
		return SubscriberKey{}, invalid("platform", CodeInvalid, 0)
	}
	if err := ValidateSubscriberID(id); err != nil {
		return SubscriberKey{}, err
	}
	return SubscriberKey{Platform: p, Account: account, ID: id}, nil
}

// Subscriber is an end user or group chat Herald can deliver to, learnt from
// their own messages or from the API.
type Subscriber struct {
	// Seq is a dense number storage assigns once; the audience index keys
	// its bitmaps by it. Zero means "not stored yet".
	Seq      uint32
	Platform Platform
	// Account is the name of the platform account the subscriber follows
	// ("" the default account; see Account).
	Account  string
	ID       string
	Kind     SubscriberKind
	Name     string
	Locale   string // BCP 47, e.g. "zh-TW"; empty when unknown
	Timezone string // IANA zone, e.g. "Asia/Taipei"; empty when unknown
	// Tags are kept sorted and unique (see SetTags).
	Tags []string
	// Attributes are user-defined variables set by flows, buttons or the API.
	Attributes map[string]string
	FirstSeen  time.Time
	// LastInteraction is when the person last wrote to the bot, followed
	// or joined, or tapped an action button in the chat: what the platform
	// itself sees, the clock of Messenger's 24-hour window and of
	// active:/inactive: targeting and /stats' "came back". A click on a
	// tracked link does not move it: a web visit opens no window, the link
	// can travel with a forwarded message, and the click is already
	// counted as a response to its broadcast (tapped:).
	LastInteraction time.Time
	State           SubscriberState
	// OperatorChat is true while a human operator is talking with the user;
	// broadcasts hold their message until it closes (unless told to end it).
	OperatorChat bool
	// Imported is true for someone added from a file or a platform's
	// follower list rather than learnt from their own message: their last
	// interaction is unknown, so LastInteraction stays zero (Messenger's
	// window counts them outside) until they write.
	Imported bool
}

// Key returns the subscriber's platform key.
func (s *Subscriber) Key() SubscriberKey {
	return SubscriberKey{Platform: s.Platform, Account: s.Account, ID: s.ID}
}

// Reachable reports whether broadcasts may be sent to s at all.
func (s *Subscriber) Reachable() bool { return s.State == Subscribed || s.State == "" }

// HasTag reports whether s carries tag.
func (s *Subscriber) HasTag(tag string) bool {
	_, ok := slices.BinarySearch(s.Tags, tag)
	return ok
}

// InWindow reports whether a Messenger user wrote within the last 24 hours.
func (s *Subscriber) InWindow(now time.Time) bool {
	return !s.LastInteraction.IsZero() && now.Sub(s.LastInteraction) < MessagingWindow
}

// SetTags replaces the tags with a normalised, sorted, unique copy.
func (s *Subscriber) SetTags(tags []string) { s.Tags = NormalizeTags(tags) }

// AddTags adds tags, keeping them sorted and unique.
func (s *Subscriber) AddTags(tags ...string) {
	s.Tags = NormalizeTags(append(slices.Clone(s.Tags), tags...))
}

// RemoveTags removes the given tags.
func (s *Subscriber) RemoveTags(tags ...string) {
	drop := NormalizeTags(tags)
	s.Tags = slices.DeleteFunc(slices.Clone(s.Tags), func(t string) bool {
		_, ok := slices.BinarySearch(drop, t)
		return ok
	})
}

// NormalizeTag folds a tag as admins type it ("  VIP ") into its stored form
// ("vip"): tags are case-insensitive and trimmed.
func NormalizeTag(t string) string { return strings.ToLower(strings.TrimSpace(t)) }

// NormalizeTags normalises, sorts and de-duplicates tags, dropping empties.
func NormalizeTags(tags []string) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		if t = NormalizeTag(t); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Validate checks a subscriber before it is stored.
func (s *Subscriber) Validate() error {
	if !s.Platform.Valid() {
		return invalid("platform", CodeInvalid, 0)
	}
	if s.Account != "" && !ValidAccountName(s.Account) {
		return invalid("account", CodeInvalid, 0)
	}
	if err := ValidateSubscriberID(s.ID); err != nil {
		return err
	}
	switch {
	case s.Kind != KindUser && s.Kind != KindGroup:
		return invalid("kind", CodeInvalid, 0)
	case s.Kind == KindGroup && !s.Platform.HasGroups():
		return invalid("kind", CodeInvalid, 0)
	}
	if s.Timezone != "" {
		if _, err := time.LoadLocation(s.Timezone); err != nil {
			return invalid("timezone", CodeInvalid, 0)
		}
	}
	return nil
}
