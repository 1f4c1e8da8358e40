package flows

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// Targeting terms, shared by /new's "to" clause, the audience step and
// /audience: tag:T -tag:T active:7d inactive:30d attr:K=V users groups
// both everyone, and the retarget terms tapped:B-7K2Q[/button] and
// -tapped:B-7K2Q (clicked: is the same word: a tap and a link click are
// both "pressed a button of that broadcast").

func parseTerm(pc token) (term, *parseError) {
	s := strings.TrimSpace(pc.s)
	low := strings.ToLower(s)
	tm := term{pos: pc.pos}
	bad := &parseError{Pos: pc.pos, Key: "err.syntax.term", Args: []any{"Word", s}}
	switch {
	case strings.HasPrefix(low, "-tag:") || strings.HasPrefix(low, "!tag:"):
		tm.exclude = herald.NormalizeTag(s[5:])
	case strings.HasPrefix(low, "tag:"):
		tm.include = herald.NormalizeTag(s[4:])
	case strings.HasPrefix(low, "active:") || strings.HasPrefix(low, "inactive:"):
		op, v, _ := strings.Cut(low, ":")
		d, ok := parseDays(v)
		if !ok {
			return tm, &parseError{Pos: pc.pos, Key: "err.syntax.days", Args: []any{"Word", s}}
		}
		tm.activity = &herald.Activity{Op: herald.ActiveWithin, Period: d}
		if op == "inactive" {
			tm.activity.Op = herald.InactiveFor
		}
	case isResponseTerm(low):
		not := low[0] == '-' || low[0] == '!'
		_, rest, _ := strings.Cut(s, ":")
		r, ok := herald.ParseResponse(rest, not)
		if !ok {
			return tm, &parseError{Pos: pc.pos, Key: "err.syntax.tapped", Args: []any{"Word", s}}
		}
		tm.response = &r
	case strings.HasPrefix(low, "attr:"):
		c, ok := parseAttr(s[5:])
		if !ok {
			return tm, &parseError{Pos: pc.pos, Key: "err.syntax.attr", Args: []any{"Word", s}}
		}
		tm.attr = &c
	case low == "users" || low == "groups" || low == "both":
		tm.recipients = herald.RecipientKind(low)
	case low == "everyone" || low == "all":
		tm.everyone = true
	default:
		return tm, bad
	}
	if strings.HasSuffix(low, "tag:") || ((strings.HasPrefix(low, "tag:") || strings.HasPrefix(low, "-tag:") || strings.HasPrefix(low, "!tag:")) && tm.include == "" && tm.exclude == "") {
		return tm, bad
	}
	return tm, nil
}

// isResponseTerm reports whether a lower-cased term is a retarget one.
func isResponseTerm(low string) bool {
	low = strings.TrimLeft(low, "-!")
	return strings.HasPrefix(low, "tapped:") || strings.HasPrefix(low, "clicked:")
}

// parseDays reads "7d", "2w" or "30" as a number of days.
func parseDays(v string) (time.Duration, bool) {
	v = strings.TrimSpace(strings.ToLower(v))
	mult := 1
	switch {
	case strings.HasSuffix(v, "d"):
		v = strings.TrimSuffix(v, "d")
	case strings.HasSuffix(v, "w"):
		v, mult = strings.TrimSuffix(v, "w"), 7
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 || n > 3650 {
		return 0, false
	}
	return time.Duration(n*mult) * 24 * time.Hour, true
}

// parseAttr reads "city = Taipei", "age>30", "plan != free", "name ~ li",
// "vip exists", "vip missing".
func parseAttr(s string) (herald.AttrCondition, bool) {
	s = strings.TrimSpace(s)
	for _, w := range []struct {
		word string
		op   herald.AttrOp
	}{{" exists", herald.AttrExists}, {" missing", herald.AttrMissing}} {
		if k, ok := strings.CutSuffix(strings.ToLower(s), w.word); ok && strings.TrimSpace(k) != "" && !strings.ContainsAny(k, "=<>~! ") {
			return herald.AttrCondition{Key: strings.TrimSpace(s[:len(k)]), Op: w.op}, true
		}
	}
	for _, o := range []struct {
		sym string
		op  herald.AttrOp
	}{{"!=", herald.AttrNe}, {"=", herald.AttrEq}, {"~", herald.AttrContains}, {">", herald.AttrGt}, {"<", herald.AttrLt}} {
		if k, v, ok := strings.Cut(s, o.sym); ok {
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if k == "" || v == "" || strings.ContainsAny(k, " =<>~!") {
				return herald.AttrCondition{}, false
			}
			return herald.AttrCondition{Key: k, Op: o.op, Value: v}, true
		}
	}
	return herald.AttrCondition{}, false
}

// applyTerms changes an audience by targeting terms.
func applyTerms(a *herald.Audience, terms []term) *parseError {
	for _, tm := range terms {
		switch {
		case tm.everyone:
			*a = everyoneOn(a)
		case tm.include != "":
			a.IncludeTags = herald.NormalizeTags(append(a.IncludeTags, tm.include))
			a.ExcludeTags = slices.DeleteFunc(a.ExcludeTags, func(s string) bool { return s == tm.include })
		case tm.exclude != "":
			a.ExcludeTags = herald.NormalizeTags(append(a.ExcludeTags, tm.exclude))
			a.IncludeTags = slices.DeleteFunc(a.IncludeTags, func(s string) bool { return s == tm.exclude })
		case tm.activity != nil:
			a.Activity = tm.activity
		case tm.attr != nil:
			a.Attributes = append(a.Attributes, *tm.attr)
		case tm.response != nil:
			// A later term about the same button replaces an earlier one.
			a.Responses = slices.DeleteFunc(a.Responses, func(r herald.Response) bool {
				return r.BroadcastID == tm.response.BroadcastID && r.ButtonID == tm.response.ButtonID
			})
			a.Responses = append(a.Responses, *tm.response)
		case tm.recipients != "":
			if tm.recipients != herald.Users && !slices.ContainsFunc(a.Channels, herald.Platform.HasGroups) {
				return &parseError{Pos: tm.pos, Key: "err.recipients.no_groups"}
			}
			a.Recipients = tm.recipients
		}
	}
	if a.TagMatch == "" {
		a.TagMatch = herald.AnyTag
	}
	return nil
}

// resolveTerms applies terms to a as applyTerms does, then checks the
// retarget terms against the stored broadcasts: an unknown broadcast or
// button is a parse error at the term that named it. On an error a is as
// it was: the audience never shows a term it refused.
func (t *turn) resolveTerms(a *herald.Audience, terms []term) (*parseError, error) {
	c := *a
	c.IncludeTags, c.ExcludeTags = slices.Clone(a.IncludeTags), slices.Clone(a.ExcludeTags)
	c.Attributes, c.Responses = slices.Clone(a.Attributes), slices.Clone(a.Responses)
	perr, err := t.resolveTermsInto(&c, terms)
	if perr == nil && err == nil {
		*a = c
	}
	return perr, err
}

func (t *turn) resolveTermsInto(a *herald.Audience, terms []term) (*parseError, error) {
	if perr := applyTerms(a, terms); perr != nil {
		return perr, nil
	}
	err := herald.ResolveResponses(a, t.e.cfg.Store.Broadcast)
	var unknown *herald.UnknownResponseError
	if !errors.As(err, &unknown) {
		if err != nil {
			return nil, fmt.Errorf("flows: retarget: %w", err)
		}
		return nil, nil
	}
	perr := &parseError{Key: "err.tapped.unknown_broadcast", Args: []any{"ID", unknown.Response.BroadcastID}}
	if unknown.Button {
		perr.Key, perr.Args = "err.tapped.unknown_button", append(perr.Args, "Button", unknown.Response.ButtonID)
	}
	for _, tm := range terms {
		if tm.response != nil && tm.response.BroadcastID == unknown.Response.BroadcastID {
			perr.Pos = tm.pos
		}
	}
	return perr, nil
}
