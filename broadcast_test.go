package herald

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNormalizeBroadcastID(t *testing.T) {
	tests := map[string]string{
		"B-7K2Q":      "B-7K2Q",
		"b-7k2q":      "B-7K2Q",
		" 7k2q ":      "B-7K2Q",
		"B7K2Q":       "B-7K2Q",
		"b-zzzzzzzz":  "B-ZZZZZZZZ",
		"7K2":         "", // too short
		"B-ZZZZZZZZZ": "", // too long
		"B-7K0Q":      "", // 0 is not in the alphabet (looks like O)
		"B-7KIQ":      "", // I looks like 1
		"":            "",
		"B-":          "",
		"7K 2Q":       "",
	}
	for in, want := range tests {
		if got := NormalizeBroadcastID(in); got != want {
			t.Errorf("NormalizeBroadcastID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewBroadcastIDIsTypeable(t *testing.T) {
	for _, n := range []int{0, 4, 6} {
		id := NewBroadcastID(n)
		if want := max(n, 4) + 2; len(id) != want || !strings.HasPrefix(id, "B-") {
			t.Errorf("NewBroadcastID(%d) = %q, want B- and %d characters", n, id, want-2)
		}
		if NormalizeBroadcastID(strings.ToLower(id)) != id {
			t.Errorf("%q does not survive being typed in lower case", id)
		}
	}
}

func validBroadcast() Broadcast {
	return Broadcast{
		Name:     "Spring sale",
		Audience: Audience{Channels: []Platform{LINE, Telegram}, Recipients: Users},
		Content:  Content{Kind: TextContent, Text: "Hi {name|there}"},
		Category: Marketing,
		Schedule: Schedule{Kind: SendAt, At: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)},
	}
}

func TestBroadcastValidate(t *testing.T) {
	buttons := func(n int) []Button {
		bs := make([]Button, n)
		for i := range bs {
			bs[i] = Button{Label: "b", Kind: ActionButton}
		}
		return bs
	}
	tests := []struct {
		name   string
		change func(b *Broadcast)
		field  string
		limit  int
	}{
		{"valid", func(*Broadcast) {}, "", 0},
		{"no name", func(b *Broadcast) { b.Name = "   " }, "name", 0},
		{"name too long", func(b *Broadcast) { b.Name = strings.Repeat("名", MaxNameLen+1) }, "name", MaxNameLen},
		{"name at the limit", func(b *Broadcast) { b.Name = strings.Repeat("名", MaxNameLen) }, "", 0},
		{"bad audience", func(b *Broadcast) { b.Audience.Channels = nil }, "audience.channels", 0},
		{"bad content", func(b *Broadcast) { b.Content.Text = "" }, "content.text", 0},
		{"4 buttons fit LINE", func(b *Broadcast) { b.Content.Buttons = buttons(4) }, "", 0},
		{"5 buttons do not fit LINE", func(b *Broadcast) { b.Content.Buttons = buttons(5) }, "content.buttons", 4},
		{"Messenger allows 3", func(b *Broadcast) {
			b.Audience.Channels = append(b.Audience.Channels, Messenger)
			b.Content.Buttons = buttons(4)
		}, "content.buttons", 3},
		{"Messenger needs a category", func(b *Broadcast) { b.Audience.Channels = []Platform{Messenger}; b.Category = "" }, "category", 0},
		{"non-marketing needs a tag", func(b *Broadcast) { b.Audience.Channels = []Platform{Messenger}; b.Category = NonMarketing }, "tag", 0},
		{"non-marketing with a tag", func(b *Broadcast) {
			b.Audience.Channels, b.Category, b.Tag = []Platform{Messenger}, NonMarketing, TagConfirmedEventUpdate
		}, "", 0},
		{"category ignored without Messenger", func(b *Broadcast) { b.Category = "" }, "", 0},
		{"no schedule", func(b *Broadcast) { b.Schedule = Schedule{} }, "schedule.kind", 0},
	}
	for _, tt := range tests {
		b := validBroadcast()
		tt.change(&b)
		err := b.Validate()
		assertField(t, tt.name, err, tt.field)
		var ve *ValidationError
		if tt.limit != 0 && errors.As(err, &ve) && ve.Limit != tt.limit {
			t.Errorf("%s: limit %d, want %d", tt.name, ve.Limit, tt.limit)
		}
	}
}
