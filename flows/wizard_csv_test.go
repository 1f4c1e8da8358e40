package flows

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

// A platform,id file naming people on two channels is one selection; every
// ID left out is counted by reason, named, and listed in a CSV.
func TestCSVOfSeveralPlatformsSaysWhatItDropped(t *testing.T) {
	h := newHarness(t)
	if err := h.store.PutSubscribers([]herald.Subscriber{
		{Platform: herald.LINE, ID: "U001", Kind: herald.KindUser, State: herald.Blocked},
		{Platform: herald.LINE, ID: "U002", Kind: herald.KindUser, State: herald.Unsubscribed},
	}); err != nil {
		t.Fatal(err)
	}
	h.walkTo(stepAudience)
	h.press("aud:csv")
	rs := h.upload("people.csv", "text/csv", []byte("\ufeffPlatform;User ID\r\nline;U000\r\ntelegram;1000\r\nline;U001\r\nline;U002\r\nline;U999\r\nmessenger;P1\r\n"))
	mustContain(t, rs, "Loaded 2 LINE, Telegram user IDs")
	mustContain(t, rs, "Left out 4 IDs:\n• unknown (never wrote to the bot or imported): 1\n• blocked the bot: 1\n• unsubscribed: 1\n• on a channel this broadcast doesn't use: 1")
	mustContain(t, rs, "line 4: U001 — blocked the bot")
	mustContain(t, rs, "👥 2 recipients")
	var file *File
	for _, r := range rs {
		if r.File != nil {
			file = r.File
		}
	}
	want := "line,platform,id,reason\n4,line,U001,blocked\n5,line,U002,unsubscribed\n6,line,U999,unknown\n7,messenger,P1,other_platform\n"
	if file == nil || string(file.Data) != want {
		t.Fatalf("dropped IDs file = %+v; want\n%s", file, want)
	}
	a := h.session().Draft.Audience
	if a.SelectedPlatform != "" || !cmp.Equal(a.Selected, []string{"line:U000", "telegram:1000"}) {
		t.Errorf("selection = %q %v", a.SelectedPlatform, a.Selected)
	}
	if err := a.Validate(); err != nil {
		t.Errorf("the selection does not validate: %v", err)
	}
	// Dropping Telegram from the channels keeps the LINE half.
	if !pruneSelected(&herald.Audience{Channels: []herald.Platform{herald.LINE}, Selected: a.Selected}) {
		t.Error("pruning a Telegram entry reported nothing dropped")
	}
}
