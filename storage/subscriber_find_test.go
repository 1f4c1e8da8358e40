package storage

import (
	"slices"
	"testing"

	"github.com/heraldbot/herald"
)

// An exact ID comes first whoever else has it in their name, names match
// in any case, every state is found, and the limit stops the scan.
func TestFindSubscribersByIDThenName(t *testing.T) {
	s, _ := openTest(t)
	subs := []herald.Subscriber{
		{Platform: herald.LINE, ID: "U1", Kind: herald.KindUser, Name: "Ann U2 fan", State: herald.Subscribed},
		{Platform: herald.Telegram, ID: "U2", Kind: herald.KindUser, Name: "Bo", State: herald.Blocked},
		{Platform: herald.Messenger, ID: "P3", Kind: herald.KindUser, Name: "ann lee", State: herald.Unsubscribed},
	}
	subs[0].SetTags([]string{"vip"})
	if err := s.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	ids := func(text string, limit int) []string {
		t.Helper()
		got, err := s.FindSubscribers(text, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range got {
			out = append(out, g.Key().String())
		}
		return out
	}
	for _, c := range []struct {
		text  string
		limit int
		want  []string
	}{
		{"u2", 0, []string{"line:U1"}}, // IDs are exact: "u2" is only in a name
		{"U2", 0, []string{"telegram:U2", "line:U1"}},
		{"telegram:U2", 0, []string{"telegram:U2"}},
		{"ANN", 0, []string{"line:U1", "messenger:P3"}},
		{"ann", 1, []string{"line:U1"}},
		{"  ", 0, nil},
		{"zed", 0, nil},
	} {
		if got := ids(c.text, c.limit); !slices.Equal(got, c.want) {
			t.Errorf("FindSubscribers(%q, %d) = %v; want %v", c.text, c.limit, got, c.want)
		}
	}
	got, _ := s.FindSubscribers("ann", 1)
	if len(got) != 1 || len(got[0].Tags) != 1 || got[0].Tags[0] != "vip" {
		t.Errorf("found %+v; want Ann's tags kept", got)
	}
}
