package herald

import (
	"slices"
	"testing"
)

// TestReasonCounterGroups: the run report groups per platform, /errors
// across platforms (an empty platform); both list the most frequent first,
// ties by platform then reason.
func TestReasonCounterGroups(t *testing.T) {
	outcomes := []struct {
		p      Platform
		reason string
	}{
		{LINE, ReasonBlocked}, {Telegram, ReasonBlocked}, {LINE, "HTTP 500"},
		{Messenger, ReasonOutsideWindow}, {LINE, ReasonBlocked}, {Telegram, "HTTP 500"},
	}
	perPlatform, across := ReasonCounter{}, ReasonCounter{}
	for _, o := range outcomes {
		perPlatform.Add(o.p, o.reason)
		across.Add("", o.reason)
	}
	for _, tc := range []struct {
		name string
		got  []ReasonCount
		want []ReasonCount
	}{
		{"per platform", perPlatform.Sorted(), []ReasonCount{
			{LINE, "", ReasonBlocked, 2}, {LINE, "", "HTTP 500", 1}, {Messenger, "", ReasonOutsideWindow, 1},
			{Telegram, "", "HTTP 500", 1}, {Telegram, "", ReasonBlocked, 1}}},
		{"across platforms", across.Sorted(), []ReasonCount{
			{"", "", ReasonBlocked, 3}, {"", "", "HTTP 500", 2}, {"", "", ReasonOutsideWindow, 1}}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.name, tc.got, tc.want)
		}
	}
}

// An automatic pause is stored in English and read back into its figures,
// so an admin reading it later sees it in their language.
func TestAutoPauseReadsBackAsStored(t *testing.T) {
	a := AutoPause{Failed: 1234, Finished: 5000, Threshold: 0.05}
	stored := a.String()
	if stored != "failures 1234 of 5000 (24.7%) passed the 5.0% threshold" {
		t.Errorf("stored as %q", stored)
	}
	if got, ok := ParseAutoPause(stored); !ok || got != a {
		t.Errorf("read back %+v, %v; want %+v", got, ok, a)
	}
	for _, other := range []string{"", "telegram: 500 internal error", "failures 1 of 0 (0.0%) passed the 5.0% threshold"} {
		if got, ok := ParseAutoPause(other); ok {
			t.Errorf("%q read as %+v", other, got)
		}
	}
}
