package adminchat

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// An Undo by another admin leaves a draft: the notice offers Edit, as the
// Undo answer does, besides Show.
func TestUndoNoticeOffersEdit(t *testing.T) {
	cat, err := locales.New("en")
	if err != nil {
		t.Fatal(err)
	}
	n := &notice{BroadcastChanged: herald.BroadcastChanged{Action: "undo", Actor: "console:bob", From: herald.StatusScheduled,
		Broadcast: herald.Broadcast{ID: "B-1", Name: "Flash sale", Status: herald.StatusDraft}}, ActorName: "Bob"}
	r := noticeReply(cat.Localizer("en"), n)
	if want := "ℹ️ Flash sale (B-1) is now draft — changed by Bob."; r.Text != want {
		t.Errorf("notice %q; want %q", r.Text, want)
	}
	var got []string
	for _, c := range r.Choices {
		got = append(got, c.ID+" "+c.Label)
	}
	if want := []string{"/edit B-1 ✏️ Edit", "/show B-1 🔍 Show"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notice offers %q; want %q", got, want)
	}
}
