package flows

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
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

// People, group chats or both is ticked on the audience step, in place,
// when the chosen channels have group chats; without any it is not
// offered (people it is). A session saved on the old separate question
// goes on from the audience step.
func TestPeopleOrGroupChatsIsTickedOnTheAudienceStep(t *testing.T) {
	h := newHarness(t) // the seed has a Telegram group chat
	h.walkTo(stepAudience)
	h.wantStep(stepAudience)
	rs := h.press("rk:groups")
	if !rs[0].Edit {
		t.Errorf("ticking group chats should redraw the step in place: %+v", rs[0])
	}
	for _, c := range rs[0].Choices {
		if strings.HasPrefix(c.ID, "rk:") && c.Checked != (c.ID == "rk:groups") {
			t.Errorf("choice %s checked = %v after ticking group chats", c.ID, c.Checked)
		}
	}
	if got := h.session().Draft.Audience.Recipients; got != herald.Groups {
		t.Errorf("recipients = %q, want groups", got)
	}
	mustContain(t, h.press("rk:groups"), "Nothing changed")
	h.press("rk:both")
	h.press(choiceDone)
	h.wantStep(stepContentKind)
	if got := h.session().Draft.Audience.Recipients; got != herald.Both {
		t.Errorf("recipients = %q, want both", got)
	}

	s := h.session()
	s.Step = stepRecipients
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.store.PutSession("console:chat:"+h.user, data); err != nil {
		t.Fatal(err)
	}
	h.do(Input{Choice: "rk:users"})
	h.wantStep(stepAudience)
	if got := h.session().Draft.Audience.Recipients; got != herald.Users {
		t.Errorf("a press on the old question's message: recipients = %q, want users", got)
	}

	h = newHarness(t)
	noGroup(h.store)
	h.walkTo(stepAudience)
	if h.offered("rk:users") || h.offered("rk:groups") {
		t.Errorf("without group chats the audience step offers people vs groups: %v", h.offeredIDs())
	}
}
