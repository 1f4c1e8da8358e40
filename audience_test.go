package herald

import (
	"errors"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)

func sub(p Platform, id string, mod ...func(*Subscriber)) *Subscriber {
	s := &Subscriber{Platform: p, ID: id, Kind: KindUser, State: Subscribed, LastInteraction: now.Add(-time.Hour)}
	for _, m := range mod {
		m(s)
	}
	return s
}

func tags(t ...string) func(*Subscriber) { return func(s *Subscriber) { s.SetTags(t) } }

func attrs(kv ...string) func(*Subscriber) {
	return func(s *Subscriber) {
		s.Attributes = map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			s.Attributes[kv[i]] = kv[i+1]
		}
	}
}

func TestAudienceMatches(t *testing.T) {
	all := []Platform{LINE, Telegram, Messenger}
	tests := []struct {
		name string
		a    Audience
		s    *Subscriber
		want bool
	}{
		{"everyone on the channel", Audience{Channels: all, Recipients: Users}, sub(LINE, "u1"), true},
		{"channel not chosen", Audience{Channels: []Platform{Telegram}, Recipients: Users}, sub(LINE, "u1"), false},
		{"unsubscribed never", Audience{Channels: all, Recipients: Users}, sub(LINE, "u1", func(s *Subscriber) { s.State = Unsubscribed }), false},
		{"blocked never", Audience{Channels: all, Recipients: Users}, sub(LINE, "u1", func(s *Subscriber) { s.State = Blocked }), false},
		{"empty state counts as subscribed", Audience{Channels: all, Recipients: Users}, sub(LINE, "u1", func(s *Subscriber) { s.State = "" }), true},
		{"groups not wanted", Audience{Channels: all, Recipients: Users}, sub(Telegram, "-1", func(s *Subscriber) { s.Kind = KindGroup }), false},
		{"groups only", Audience{Channels: all, Recipients: Groups}, sub(Telegram, "-1", func(s *Subscriber) { s.Kind = KindGroup }), true},
		{"groups only skips users", Audience{Channels: all, Recipients: Groups}, sub(Telegram, "1"), false},
		{"both", Audience{Channels: all, Recipients: Both}, sub(Telegram, "-1", func(s *Subscriber) { s.Kind = KindGroup }), true},
		{"any tag", Audience{Channels: all, Recipients: Users, IncludeTags: []string{"vip", "beta"}, TagMatch: AnyTag}, sub(LINE, "u", tags("beta")), true},
		{"any tag, none", Audience{Channels: all, Recipients: Users, IncludeTags: []string{"vip", "beta"}, TagMatch: AnyTag}, sub(LINE, "u", tags("news")), false},
		{"all tags", Audience{Channels: all, Recipients: Users, IncludeTags: []string{"vip", "beta"}, TagMatch: AllTags}, sub(LINE, "u", tags("vip", "beta", "x")), true},
		{"all tags, one missing", Audience{Channels: all, Recipients: Users, IncludeTags: []string{"vip", "beta"}, TagMatch: AllTags}, sub(LINE, "u", tags("vip")), false},
		{"excluded tag wins", Audience{Channels: all, Recipients: Users, IncludeTags: []string{"vip"}, TagMatch: AnyTag, ExcludeTags: []string{"staff"}}, sub(LINE, "u", tags("vip", "staff")), false},
		{"active within", Audience{Channels: all, Recipients: Users, Activity: &Activity{ActiveWithin, 24 * time.Hour}}, sub(LINE, "u"), true},
		{"active within, too old", Audience{Channels: all, Recipients: Users, Activity: &Activity{ActiveWithin, 30 * time.Minute}}, sub(LINE, "u"), false},
		{"inactive for (win-back)", Audience{Channels: all, Recipients: Users, Activity: &Activity{InactiveFor, 30 * time.Minute}}, sub(LINE, "u"), true},
		{"never interacted is inactive", Audience{Channels: all, Recipients: Users, Activity: &Activity{InactiveFor, time.Hour}}, sub(LINE, "u", func(s *Subscriber) { s.LastInteraction = time.Time{} }), true},
		{"never interacted is not active", Audience{Channels: all, Recipients: Users, Activity: &Activity{ActiveWithin, time.Hour}}, sub(LINE, "u", func(s *Subscriber) { s.LastInteraction = time.Time{} }), false},
		{"attribute holds", Audience{Channels: all, Recipients: Users, Attributes: []AttrCondition{{"city", AttrEq, "taipei"}}}, sub(LINE, "u", attrs("city", "Taipei")), true},
		{"every attribute must hold", Audience{Channels: all, Recipients: Users, Attributes: []AttrCondition{{"city", AttrEq, "taipei"}, {"plan", AttrExists, ""}}}, sub(LINE, "u", attrs("city", "Taipei")), false},
		{"selected", Audience{Channels: all, Recipients: Users, SelectedPlatform: LINE, Selected: []string{"u1", "u2"}}, sub(LINE, "u2"), true},
		{"not selected", Audience{Channels: all, Recipients: Users, SelectedPlatform: LINE, Selected: []string{"u1"}}, sub(LINE, "u2"), false},
		{"selected on another platform", Audience{Channels: all, Recipients: Users, SelectedPlatform: LINE, Selected: []string{"u1"}}, sub(Telegram, "u1"), false},
		{"selected still filtered by tags", Audience{Channels: all, Recipients: Users, SelectedPlatform: LINE, Selected: []string{"u1"}, ExcludeTags: []string{"staff"}}, sub(LINE, "u1", tags("staff")), false},
	}
	for _, tt := range tests {
		if got := tt.a.Matches(tt.s, now); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAttrConditionOps(t *testing.T) {
	tests := []struct {
		c       AttrCondition
		v       string
		present bool
		want    bool
	}{
		{AttrCondition{"k", AttrExists, ""}, "", true, true},
		{AttrCondition{"k", AttrExists, ""}, "", false, false},
		{AttrCondition{"k", AttrMissing, ""}, "", false, true},
		{AttrCondition{"k", AttrMissing, ""}, "x", true, false},
		{AttrCondition{"k", AttrEq, "Gold"}, "gold", true, true}, // case-insensitive
		{AttrCondition{"k", AttrEq, "gold"}, "silver", true, false},
		{AttrCondition{"k", AttrEq, ""}, "", false, false}, // missing is not equal to ""
		{AttrCondition{"k", AttrNe, "gold"}, "silver", true, true},
		{AttrCondition{"k", AttrNe, "gold"}, "GOLD", true, false},
		{AttrCondition{"k", AttrNe, "gold"}, "", false, true}, // missing is "not gold"
		{AttrCondition{"k", AttrContains, "PEI"}, "Taipei", true, true},
		{AttrCondition{"k", AttrContains, "x"}, "Taipei", true, false},
		{AttrCondition{"k", AttrContains, "x"}, "", false, false},
		{AttrCondition{"k", AttrGt, "9"}, "10", true, true}, // numbers, not text order
		{AttrCondition{"k", AttrGt, "10"}, "9", true, false},
		{AttrCondition{"k", AttrLt, "2.5"}, " 2.25 ", true, true},
		{AttrCondition{"k", AttrGt, "10"}, "10", true, false},
		{AttrCondition{"k", AttrGt, "2026-01-01"}, "2026-02-01", true, true},
		{AttrCondition{"k", AttrLt, "2026-01-01"}, "2025-12-31T23:00:00Z", true, true},
		{AttrCondition{"k", AttrGt, "10"}, "ten", true, false},        // not comparable
		{AttrCondition{"k", AttrGt, "2026-01-01"}, "5", true, false},  // number vs date
		{AttrCondition{"k", AttrGt, "1"}, "", false, false},           // missing
		{AttrCondition{"k", AttrOp("regex"), ".*"}, "x", true, false}, // unknown op never matches
	}
	for _, tt := range tests {
		if got := tt.c.Matches(tt.v, tt.present); got != tt.want {
			t.Errorf("%s %s %q on (%q, present=%v) = %v, want %v", tt.c.Key, tt.c.Op, tt.c.Value, tt.v, tt.present, got, tt.want)
		}
	}
}

func TestAudienceValidate(t *testing.T) {
	ok := Audience{Channels: []Platform{LINE}, Recipients: Users}
	tests := []struct {
		name  string
		a     Audience
		field string // "" means valid
	}{
		{"minimal", ok, ""},
		{"no channels", Audience{Recipients: Users}, "audience.channels"},
		{"unknown channel", Audience{Channels: []Platform{"sms"}, Recipients: Users}, "audience.channels"},
		{"no recipient kind", Audience{Channels: []Platform{LINE}}, "audience.recipients"},
		{"groups on messenger only", Audience{Channels: []Platform{Messenger}, Recipients: Groups}, "audience.recipients"},
		{"groups with telegram too", Audience{Channels: []Platform{Messenger, Telegram}, Recipients: Groups}, ""},
		{"tags without match mode", Audience{Channels: []Platform{LINE}, Recipients: Users, IncludeTags: []string{"vip"}}, "audience.tag_match"},
		{"activity without period", Audience{Channels: []Platform{LINE}, Recipients: Users, Activity: &Activity{Op: ActiveWithin}}, "audience.activity"},
		{"activity with unknown op", Audience{Channels: []Platform{LINE}, Recipients: Users, Activity: &Activity{"since", time.Hour}}, "audience.activity"},
		{"attribute without key", Audience{Channels: []Platform{LINE}, Recipients: Users, Attributes: []AttrCondition{{" ", AttrExists, ""}}}, "audience.attributes.key"},
		{"attribute with unknown op", Audience{Channels: []Platform{LINE}, Recipients: Users, Attributes: []AttrCondition{{"k", "like", ""}}}, "audience.attributes.op"},
		{"selected on a channel not chosen", Audience{Channels: []Platform{LINE}, Recipients: Users, SelectedPlatform: Telegram, Selected: []string{"1"}}, "audience.selected_platform"},
	}
	for _, tt := range tests {
		err := tt.a.Validate()
		assertField(t, tt.name, err, tt.field)
	}
	if !ok.Everyone() {
		t.Error("an audience without criteria should be Everyone")
	}
	if (&Audience{Channels: []Platform{LINE}, ExcludeTags: []string{"x"}}).Everyone() {
		t.Error("an audience with an excluded tag is not Everyone")
	}
}

// assertField checks that err is nil (field "") or a ValidationError on field.
func assertField(t *testing.T, name string, err error, field string) {
	t.Helper()
	var ve *ValidationError
	switch {
	case field == "" && err != nil:
		t.Errorf("%s: unexpected error %v", name, err)
	case field != "" && !errors.As(err, &ve):
		t.Errorf("%s: error %v, want a ValidationError on %s", name, err, field)
	case field != "" && ve.Field != field:
		t.Errorf("%s: error on %s (%v), want %s", name, ve.Field, err, field)
	}
}

// A Selected list across platforms names each person by "platform:id".
func TestSelectedAcrossPlatforms(t *testing.T) {
	a := Audience{Channels: []Platform{LINE, Telegram}, Recipients: Users, Selected: []string{"line:U1", "telegram:5"}}
	for _, tt := range []struct {
		s    Subscriber
		want bool
	}{
		{Subscriber{Platform: LINE, ID: "U1", Kind: KindUser}, true},
		{Subscriber{Platform: Telegram, ID: "5", Kind: KindUser}, true},
		{Subscriber{Platform: Telegram, ID: "U1", Kind: KindUser}, false},
	} {
		if got := a.Matches(&tt.s, now); got != tt.want {
			t.Errorf("Matches(%s) = %v", tt.s.Key(), got)
		}
	}
	if err := a.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	a.Selected = append(a.Selected, "messenger:7")
	if err := a.Validate(); err == nil {
		t.Error("a key on a channel the audience lacks validated")
	}
}
