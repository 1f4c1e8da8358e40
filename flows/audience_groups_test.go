package flows

import (
	"strings"
	"testing"
)

// /audience counts people, and says apart how many group chats the bot
// is in: they are recipients only of broadcasts that choose group chats.
func TestAudienceNamesGroupChatsApart(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send("/audience"), "Also 1 group chat (Telegram 1): it gets a broadcast only when you choose group chats in the wizard.")
	if got := joined(h.send("/audience on line")); !strings.Contains(got, "LINE") || strings.Contains(got, "group chat") {
		t.Errorf("/audience on LINE names Telegram's group:\n%s", got)
	}
}
