package herald

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// TagMatch says how IncludeTags combine.
type TagMatch string

// Tag match modes.
const (
	AnyTag  TagMatch = "any" // at least one of the tags
	AllTags TagMatch = "all" // every one of the tags
)

// ActivityOp chooses between targeting recent and lapsed subscribers.
type ActivityOp string

// Activity operators.
const (
	ActiveWithin ActivityOp = "within"    // last interaction within Period
	InactiveFor  ActivityOp = "not_since" // no interaction for Period (win-back)
)

// Activity filters on a subscriber's last interaction.
type Activity struct {
	Op     ActivityOp
	Period time.Duration
}

// AttrOp is a comparison on a user-defined attribute.
type AttrOp string

// Attribute operators. Gt and Lt compare numbers, or dates (2006-01-02 or
// RFC 3339) when both sides are dates; anything else does not match.
const (
	AttrEq       AttrOp = "eq"
	AttrNe       AttrOp = "ne"
	AttrContains AttrOp = "contains"
	AttrExists   AttrOp = "exists"
	AttrMissing  AttrOp = "missing"
	AttrGt       AttrOp = "gt"
	AttrLt       AttrOp = "lt"
)

// AttrCondition is one attribute test; all conditions of an audience must hold.
type AttrCondition struct {
	Key   string
	Op    AttrOp
	Value string
}

// Audience is who a broadcast goes to. Its zero criteria mean "everyone on
// the chosen channels"; unsubscribed and blocked subscribers are always left
// out. Matches is the reference semantics: the audience index must agree
// with it for every subscriber.
type Audience struct {
	Channels []Platform
	// Accounts, when set, narrows the channels it names to some of their
	// accounts ("LINE · Shop" but not "LINE · Support"): a subscriber on
	// such a platform matches only when their account is listed. A channel
	// none of Accounts names takes all its accounts.
	Accounts    []Account
	Recipients  RecipientKind
	IncludeTags []string
	TagMatch    TagMatch
	ExcludeTags []string
	Activity    *Activity
	Attributes  []AttrCondition
	// Selected is an explicit list of subscriber IDs (typed or from a CSV) on
	// SelectedPlatform only. When set, the other criteria still apply. With
	// SelectedPlatform empty, each entry is a "platform:id" key
	// (SubscriberKey.String): one list across several platforms.
	SelectedPlatform Platform
	Selected         []string
	// Responses retarget by what people did with past broadcasts' buttons
	// (tapped:B-7K2Q, -tapped:B-7K2Q/b1); all must hold.
	Responses []Response
	// Sample, when set, sends to a random part of the people the other
	// criteria match (a percent, a cap, or all but a control group).
	Sample *Sample
}

// selects reports whether s is on the Selected list.
func (a *Audience) selects(s *Subscriber) bool {
	if a.SelectedPlatform == "" {
		return slices.Contains(a.Selected, s.Key().String())
	}
	return s.Platform == a.SelectedPlatform && slices.Contains(a.Selected, s.ID)
}

// Everyone reports whether the audience has no criteria beyond channels and
// recipient kind.
func (a *Audience) Everyone() bool {
	return len(a.IncludeTags) == 0 && len(a.ExcludeTags) == 0 && a.Activity == nil &&
		len(a.Attributes) == 0 && len(a.Selected) == 0 && len(a.Responses) == 0
}

// TakesAccount reports whether subscribers of acc may be in the audience
// as far as Accounts go: acc is listed, or its platform has none listed.
func (a *Audience) TakesAccount(acc Account) bool {
	if slices.Contains(a.Accounts, acc) {
		return true
	}
	return !slices.ContainsFunc(a.Accounts, func(x Account) bool { return x.Platform == acc.Platform })
}

// HasChannel reports whether p is one of the audience's channels.
func (a *Audience) HasChannel(p Platform) bool { return slices.Contains(a.Channels, p) }

// Matches reports whether s is in the audience at time now, for an
// audience without Responses (see MatchesWith: here nobody responded).
func (a *Audience) Matches(s *Subscriber, now time.Time) bool {
	return a.MatchesWith(s, now, nil)
}

// MatchesWith reports whether s is in the audience at time now, asking
// responded about the retarget Responses (nil: nobody responded). A cap
// (Sample.Max) is not applied: it depends on everyone else in the audience,
// so the audience index applies it over the whole match.
func (a *Audience) MatchesWith(s *Subscriber, now time.Time, responded RespondedFunc) bool {
	if !s.Reachable() || !a.HasChannel(s.Platform) || !a.Recipients.Includes(s.Kind) {
		return false
	}
	if !a.TakesAccount(s.AccountOf()) {
		return false
	}
	if len(a.Selected) > 0 && !a.selects(s) {
		return false
	}
	// Filter tags are compared in stored form: "VIP" from the API means "vip".
	hasTag := func(t string) bool { return s.HasTag(NormalizeTag(t)) }
	if len(a.IncludeTags) > 0 {
		if a.TagMatch == AllTags {
			for _, t := range a.IncludeTags {
				if !hasTag(t) {
					return false
				}
			}
		} else if !slices.ContainsFunc(a.IncludeTags, hasTag) {
			return false
		}
	}
	if slices.ContainsFunc(a.ExcludeTags, hasTag) {
		return false
	}
	if a.Activity != nil && !a.Activity.Matches(s.LastInteraction, now) {
		return false
	}
	for _, c := range a.Attributes {
		v, ok := s.Attributes[c.Key]
		if !c.Matches(v, ok) {
			return false
		}
	}
	return a.matchesResponses(s, responded) && a.Sample.Takes(s.Key())
}

// Matches reports whether a last interaction at last satisfies the filter.
// A subscriber who never interacted counts as inactive since forever.
func (f *Activity) Matches(last, now time.Time) bool {
	cutoff := now.Add(-f.Period)
	switch f.Op {
	case ActiveWithin:
		return !last.IsZero() && !last.Before(cutoff)
	case InactiveFor:
		return last.IsZero() || last.Before(cutoff)
	}
	return false
}

// Matches applies the condition to an attribute value v (present says
// whether the subscriber has the attribute at all).
func (c AttrCondition) Matches(v string, present bool) bool {
	switch c.Op {
	case AttrExists:
		return present
	case AttrMissing:
		return !present
	case AttrEq:
		return present && strings.EqualFold(v, c.Value)
	case AttrNe:
		return !present || !strings.EqualFold(v, c.Value)
	case AttrContains:
		return present && strings.Contains(strings.ToLower(v), strings.ToLower(c.Value))
	case AttrGt, AttrLt:
		if !present {
			return false
		}
		cmp, ok := CompareAttr(v, c.Value)
		if !ok {
			return false
		}
		if c.Op == AttrGt {
			return cmp > 0
		}
		return cmp < 0
	}
	return false
}

// CompareAttr orders two attribute values as numbers, or else as dates. ok
// is false when they are neither both numbers nor both dates.
func CompareAttr(a, b string) (cmp int, ok bool) {
	if x, err := strconv.ParseFloat(strings.TrimSpace(a), 64); err == nil {
		if y, err := strconv.ParseFloat(strings.TrimSpace(b), 64); err == nil {
			return cmpFloat(x, y), true
		}
		return 0, false
	}
	x, okA := ParseAttrDate(a)
	y, okB := ParseAttrDate(b)
	if !okA || !okB {
		return 0, false
	}
	return x.Compare(y), true
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// ParseAttrDate reads an attribute value as a date: 2006-01-02 or RFC 3339.
func ParseAttrDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// Validate checks the audience's shape (not its size).
func (a *Audience) Validate() error {
	if len(a.Channels) == 0 {
		return invalid("audience.channels", CodeRequired, 0)
	}
	for _, p := range a.Channels {
		if !p.Valid() {
			return invalid("audience.channels", CodeInvalid, 0)
		}
	}
	for _, acc := range a.Accounts {
		if !a.HasChannel(acc.Platform) || acc.Name != "" && !ValidAccountName(acc.Name) {
			return invalid("audience.accounts", CodeInvalid, 0)
		}
	}
	switch a.Recipients {
	case Users, Groups, Both:
	default:
		return invalid("audience.recipients", CodeInvalid, 0)
	}
	if a.Recipients == Groups && !slices.ContainsFunc(a.Channels, Platform.HasGroups) {
		return invalid("audience.recipients", CodeInvalid, 0)
	}
	if len(a.IncludeTags) > 0 && a.TagMatch != AnyTag && a.TagMatch != AllTags {
		return invalid("audience.tag_match", CodeInvalid, 0)
	}
	if a.Activity != nil {
		if (a.Activity.Op != ActiveWithin && a.Activity.Op != InactiveFor) || a.Activity.Period <= 0 {
			return invalid("audience.activity", CodeInvalid, 0)
		}
	}
	for _, c := range a.Attributes {
		if strings.TrimSpace(c.Key) == "" {
			return invalid("audience.attributes.key", CodeRequired, 0)
		}
		switch c.Op {
		case AttrEq, AttrNe, AttrContains, AttrExists, AttrMissing, AttrGt, AttrLt:
		default:
			return invalid("audience.attributes.op", CodeInvalid, 0)
		}
	}
	for _, r := range a.Responses {
		if NormalizeBroadcastID(r.BroadcastID) != r.BroadcastID {
			return invalid("audience.responses", CodeInvalid, 0)
		}
	}
	if a.Sample != nil {
		if err := a.Sample.Validate(); err != nil {
			return err
		}
	}
	if len(a.Selected) > 0 && a.SelectedPlatform != "" && !a.HasChannel(a.SelectedPlatform) {
		return invalid("audience.selected_platform", CodeInvalid, 0)
	}
	if len(a.Selected) > 0 && a.SelectedPlatform == "" {
		for _, k := range a.Selected {
			if key, err := ParseSubscriberKey(k); err != nil || !a.HasChannel(key.Platform) {
				return invalid("audience.selected", CodeInvalid, 0)
			}
		}
	}
	return nil
}

// Count is an audience size with the breakdown admins see before confirming.
type Count struct {
	// Total is who gets it: after the audience's Sample, when it has one.
	Total int
	// Before is the audience before its Sample (0 without one), and
	// Control the holdout's control group among them, not sent.
	Before     int
	Control    int
	ByPlatform map[Platform]int
	// ByAccount breaks Total down by account when the audience reaches
	// more than one account of a platform (nil otherwise).
	ByAccount map[Account]int
	Users     int
	Groups    int
	// OutsideWindow counts Messenger users of a marketing broadcast who have
	// not written in 24 hours: they are in Total but will be skipped.
	OutsideWindow int
	// NeverWrote is the part of OutsideWindow that never wrote at all
	// (imported, or added through the API: last interaction unknown), so
	// the wizard says so rather than "not in the last 24 hours".
	NeverWrote int
	// OperatorChats counts those in an open operator chat: the wizard asks
	// whether to end those chats only when there are some.
	OperatorChats int
}
