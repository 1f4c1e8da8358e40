package herald

import (
	"slices"
	"testing"
	"time"
)

func TestSubscriberTags(t *testing.T) {
	var s Subscriber
	s.SetTags([]string{" VIP ", "beta", "vip", "", "Beta"})
	if want := []string{"beta", "vip"}; !slices.Equal(s.Tags, want) {
		t.Fatalf("SetTags: %q, want %q", s.Tags, want)
	}
	if !s.HasTag("vip") || s.HasTag("VIP") || s.HasTag("news") {
		t.Error("HasTag takes the stored (normalised) form")
	}
	before := s.Tags
	s.AddTags("News", "beta")
	if want := []string{"beta", "news", "vip"}; !slices.Equal(s.Tags, want) {
		t.Errorf("AddTags: %q, want %q", s.Tags, want)
	}
	if want := []string{"beta", "vip"}; !slices.Equal(before, want) {
		t.Errorf("AddTags changed the old slice: %q", before)
	}
	before = s.Tags
	s.RemoveTags(" BETA", "absent")
	if want := []string{"news", "vip"}; !slices.Equal(s.Tags, want) {
		t.Errorf("RemoveTags: %q, want %q", s.Tags, want)
	}
	if want := []string{"beta", "news", "vip"}; !slices.Equal(before, want) {
		t.Errorf("RemoveTags changed the old slice: %q", before)
	}
	if got := NormalizeTags(nil); got == nil || len(got) != 0 {
		t.Errorf("NormalizeTags(nil) = %#v, want an empty slice", got)
	}
}

func TestSubscriberReachableAndWindow(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for state, want := range map[SubscriberState]bool{Subscribed: true, "": true, Unsubscribed: false, Blocked: false} {
		s := Subscriber{State: state}
		if s.Reachable() != want {
			t.Errorf("state %q: Reachable %v", state, !want)
		}
	}
	for _, tt := range []struct {
		last time.Time
		want bool
	}{
		{time.Time{}, false},
		{now.Add(-23 * time.Hour), true},
		{now.Add(-24 * time.Hour), false},
	} {
		s := Subscriber{LastInteraction: tt.last}
		if s.InWindow(now) != tt.want {
			t.Errorf("last %v: InWindow %v", tt.last, !tt.want)
		}
	}
}

func TestSubscriberValidate(t *testing.T) {
	ok := Subscriber{Platform: LINE, ID: "U1", Kind: KindUser}
	tests := []struct {
		name   string
		change func(s *Subscriber)
		field  string
	}{
		{"valid", func(*Subscriber) {}, ""},
		{"unknown platform", func(s *Subscriber) { s.Platform = "sms" }, "platform"},
		{"no id", func(s *Subscriber) { s.ID = " " }, "id"},
		{"long id", func(s *Subscriber) { s.ID = string(make([]byte, 129)) }, "id"},
		{"no kind", func(s *Subscriber) { s.Kind = "" }, "kind"},
		{"messenger has no groups", func(s *Subscriber) { s.Platform, s.Kind = Messenger, KindGroup }, "kind"},
		{"telegram group", func(s *Subscriber) { s.Platform, s.ID, s.Kind = Telegram, "-100", KindGroup }, ""},
		{"timezone", func(s *Subscriber) { s.Timezone = "Asia/Tokyo" }, ""},
		{"bad timezone", func(s *Subscriber) { s.Timezone = "Tokyo" }, "timezone"},
	}
	for _, tt := range tests {
		s := ok
		tt.change(&s)
		assertField(t, tt.name, s.Validate(), tt.field)
	}
	if k := ok.Key(); k.String() != "line:U1" {
		t.Errorf("Key().String() = %q", k.String())
	}
}
