package herald

import (
	"testing"
	"time"
)

// Tags typed in another case (an API call, a power user's /new) must still
// find the stored, lower-case tags.
func TestAudienceTagsMatchWhateverTheCase(t *testing.T) {
	s := Subscriber{Platform: Telegram, ID: "1", Kind: KindUser, State: Subscribed}
	s.SetTags([]string{"vip"})
	a := Audience{Channels: []Platform{Telegram}, Recipients: Users, IncludeTags: []string{" VIP"}, TagMatch: AnyTag}
	if !a.Matches(&s, time.Now()) {
		t.Error(`include "VIP" must match a subscriber tagged "vip"`)
	}
	a = Audience{Channels: []Platform{Telegram}, Recipients: Users, ExcludeTags: []string{"Vip"}}
	if a.Matches(&s, time.Now()) {
		t.Error(`exclude "Vip" must leave out a subscriber tagged "vip"`)
	}
}
