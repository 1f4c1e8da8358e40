package slack

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/platformtest"
)

// clock is a settable time for the rig's handler.

func TestUserGroupMembersMayActOthersAreRefused(t *testing.T) {
	const carol, dave, managers = "U0CAROL", "U0DAVE", "S0MANAGERS"
	clk := platformtest.NewClock(time.Now())
	r := newRig(t, func(o *Options, f *platformtest.Slack) {
		o.AllowedUsers, o.AllowedUserGroups, o.Now = []string{alice}, []string{managers}, clk.Now
		f.AddUserGroup(platformtest.SlackUserGroup{ID: managers, Handle: "managers", Users: []string{carol}})
	})
	r.slash(carol, "new")
	thread := r.last("<@U0CAROL> is working with Herald").TS
	r.last("Step 1")

	r.slash(dave, "new")
	if m := r.last("only Herald admins"); !m.Ephemeral || m.User != dave || !strings.Contains(m.Text, "slack.allowed_usergroups") {
		t.Fatalf("Dave's refusal: %+v", m)
	}
	log, _ := r.store.AuditLog("", 0)
	if len(log) != 1 || log[0].Actor != "slack:"+dave || log[0].Action != "access.denied" {
		t.Fatalf("audit: %+v", log)
	}
	if n := r.fake.Calls("usergroups.users.list"); n != 1 {
		t.Fatalf("the group's members were asked %d times, want once (then cached)", n)
	}

	// Carol leaves the group: the cached list lets her finish this step,
	// and once it is older than GroupTTL Slack is asked again.
	r.fake.AddUserGroup(platformtest.SlackUserGroup{ID: managers, Handle: "managers"})
	r.reply(carol, thread, "Carol's sale")
	step2 := r.last("Step 2")
	clk.Add(6 * time.Minute)
	r.press(carol, step2, "ch:line")
	if m := r.last("only Herald admins"); m.User != carol {
		t.Fatalf("Carol was not refused after leaving the group: %+v", m)
	}
	if m := r.message(step2.TS); m.Updates != 0 || r.fake.Calls("usergroups.users.list") != 2 {
		t.Fatalf("updates=%d calls=%d", m.Updates, r.fake.Calls("usergroups.users.list"))
	}

	// A workspace without user groups: members cannot be checked, so
	// only listed users may act.
	r.fake.FreePlan(true)
	clk.Add(6 * time.Minute)
	r.slash(carol, "list")
	if m := r.last("only Herald admins"); m.User != carol {
		t.Fatalf("a failed lookup let Carol in: %+v", m)
	}
	r.slash(alice, "list")
	if m := r.fake.Messages(channel); m[len(m)-1].Ephemeral {
		t.Fatalf("Alice, a listed user, was refused: %+v", m[len(m)-1])
	}
}

func TestChannelsAloneSayWhoMayAct(t *testing.T) {
	const dave = "U0DAVE"
	r := newRig(t, func(o *Options, _ *platformtest.Slack) { o.AllowedUsers = nil })
	r.slash(dave, "new")
	r.last("<@U0DAVE> is working with Herald")
	if m := r.last("Step 1"); m.Ephemeral {
		t.Fatalf("Dave, in the admin channel, was refused: %+v", m)
	}
	// A DM has no member list to check: refused, and audited.
	id := r.fake.PushEvent(map[string]any{"type": "message", "channel": "D0DAVE", "channel_type": "im", "user": dave,
		"text": "list", "ts": "1700000600.000001"})
	r.waitAck(id)
	dm := r.fake.Messages("D0DAVE")
	if len(dm) != 1 || !dm[0].Ephemeral || !strings.Contains(dm[0].Text, "only Herald admins") {
		t.Fatalf("a DM in channel-only mode: %+v", dm)
	}
	// Elsewhere is refused too.
	r.push("slash_commands", map[string]any{"command": "/herald", "text": "list", "user_id": dave, "user_name": dave,
		"channel_id": "C0RANDOM", "team_id": "T0FAKE001", "trigger_id": "tr-x"})
	if m := r.fake.Messages("C0RANDOM"); len(m) != 1 || !m[0].Ephemeral {
		t.Fatalf("another channel: %+v", m)
	}
	if log, _ := r.store.AuditLog("", 0); len(log) != 2 {
		t.Fatalf("audit: %+v", log)
	}
}
