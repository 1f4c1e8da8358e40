package flows

import (
	"strings"

	"github.com/heraldbot/herald"
)

// groupsNote says, under /audience's count of people, how many group
// chats the bot is in on the same channels (Telegram groups and LINE
// groups it was added to are kept as group recipients): they get a
// broadcast only when one chooses group chats, so none is a silent
// recipient. "" when there are none or a = an audience that already
// names its recipients' kind.
func (t *turn) groupsNote(a *herald.Audience) string {
	if a.Recipients != herald.Users {
		return ""
	}
	c, chans, err := t.groupChats(a)
	if err != nil {
		t.e.cfg.Logger.Warn("flows: count group chats", "error", err)
		return ""
	}
	if c.Total == 0 {
		return ""
	}
	var parts []string
	for _, p := range chans {
		if n := c.ByPlatform[p]; n > 0 {
			parts = append(parts, PlatformName(p)+" "+FormatCount(n))
		}
	}
	return "\n" + t.N("aud.groups_note", c.Total, "Count", FormatCount(c.Total), "Platforms", strings.Join(parts, " · "))
}
