package platformtest

import (
	"context"
	"testing"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

func TestSlackUserGroupMembers(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	f.fake.AddUserGroup(SlackUserGroup{ID: "S0MANAGERS", Handle: "managers", Users: []string{"U0ANN", "W0BEN"}})
	f.fake.AddUserGroup(SlackUserGroup{ID: "S0OLD", Handle: "old", Users: []string{"U0CAT"}, Disabled: true})

	users, err := f.api.GetUserGroupMembersContext(ctx, "S0MANAGERS")
	if err != nil || len(users) != 2 || users[0] != "U0ANN" || users[1] != "W0BEN" {
		t.Errorf("members = %v, %v", users, err)
	}
	if _, err := f.api.GetUserGroupMembersContext(ctx, "S0NOPE"); slackErr(err) != "no_such_subteam" {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := f.api.GetUserGroupMembersContext(ctx, "S0OLD"); slackErr(err) != "no_such_subteam" {
		t.Errorf("disabled group without include_disabled: %v", err)
	}
	users, err = f.api.GetUserGroupMembersContext(ctx, "S0OLD", slack.GetUserGroupMembersOptionIncludeDisabled(true))
	if err != nil || len(users) != 1 || users[0] != "U0CAT" {
		t.Errorf("disabled group with include_disabled = %v, %v", users, err)
	}
	if code, out := f.call(t, slackBotToken, "usergroups.users.list", nil); code != 200 || out["error"] != "invalid_arguments" {
		t.Errorf("no usergroup argument: %d %v", code, out)
	}
	if n := f.fake.Calls("usergroups.users.list"); n != 2 {
		t.Errorf("successful calls counted = %d, want 2", n)
	}
	f.fake.FreePlan(true)
	if _, err := f.api.GetUserGroupMembersContext(ctx, "S0MANAGERS"); slackErr(err) != "plan_upgrade_required" {
		t.Errorf("free plan: %v", err)
	}
}

func TestSlackPickersAndMenusAreValidated(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	opt := func(v, text string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(v, slack.NewTextBlockObject(slack.PlainTextType, text, false, false), nil)
	}
	post := func(els ...slack.BlockElement) error {
		_, _, err := f.api.PostMessageContext(ctx, "C0ADMIN", slack.MsgOptionText("pick", false),
			slack.MsgOptionBlocks(slack.NewActionBlock("b1", els...)))
		return err
	}
	date, clock := slack.NewDatePickerBlockElement("d"), slack.NewTimePickerBlockElement("t")
	date.InitialDate, clock.InitialTime, clock.Timezone = "2026-12-01", "09:00", "Asia/Taipei"
	menu := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, "m", opt("a", "Alpha"), opt("b", "Beta"))
	menu.InitialOptions = []*slack.OptionBlockObject{opt("b", "Beta")}
	if err := post(date, clock, menu); err != nil {
		t.Fatalf("valid pickers and menu: %v", err)
	}
	for name, el := range map[string]slack.BlockElement{
		"date without its zero":       &slack.DatePickerBlockElement{Type: slack.METDatepicker, ActionID: "d", InitialDate: "2026-12-1"},
		"time without its zero":       &slack.TimePickerBlockElement{Type: slack.METTimepicker, ActionID: "t", InitialTime: "9:00"},
		"time in an unknown zone":     &slack.TimePickerBlockElement{Type: slack.METTimepicker, ActionID: "t", Timezone: "Mars/Base"},
		"menu without options":        slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, "m"),
		"initial option not offered":  slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, "m", opt("a", "Alpha")).WithInitialOptions(opt("c", "Gamma")),
		"initial option text differs": slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, nil, "m", opt("a", "Alpha")).WithInitialOptions(opt("a", "Alpha (3)")),
	} {
		if err := post(el); slackErr(err) != "invalid_blocks" {
			t.Errorf("%s: %v", name, err)
		}
	}
	dup := []slack.BlockElement{slack.NewDatePickerBlockElement("same"), slack.NewTimePickerBlockElement("same")}
	if err := post(dup...); slackErr(err) != "invalid_blocks" {
		t.Errorf("two action_ids alike in one block: %v", err)
	}
}

func TestSlackPicksTravelInStateUntilTheMessageIsUpdated(t *testing.T) {
	f := newSlackFixture(t, "")
	ctx := context.Background()
	f.fake.AddChannel(SlackChannel{ID: "C0ADMIN", Name: "admins"})
	client := runSocketMode(t, f)
	opt := func(v, text string) *slack.OptionBlockObject {
		return slack.NewOptionBlockObject(v, slack.NewTextBlockObject(slack.PlainTextType, text, false, false), nil)
	}
	date, clock := slack.NewDatePickerBlockElement("date"), slack.NewTimePickerBlockElement("time")
	date.InitialDate, clock.InitialTime = "2026-12-01", "09:00"
	menu := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic,
		slack.NewTextBlockObject(slack.PlainTextType, "Tags", false, false), "tags", opt("t:0", "vip"), opt("t:1", "new"), opt("t:2", "churned"))
	menu.InitialOptions = []*slack.OptionBlockObject{opt("t:1", "new")}
	use := slack.NewButtonBlockElement("use", "use", slack.NewTextBlockObject(slack.PlainTextType, "Use this time", false, false))
	blocks := slack.MsgOptionBlocks(slack.NewActionBlock("when", date, clock, use), slack.NewActionBlock("which", menu))
	_, ts, err := f.api.PostMessageContext(ctx, "C0ADMIN", slack.MsgOptionText("When?", false), slack.MsgOptionTS("1700000000.000001"), blocks)
	if err != nil {
		t.Fatal(err)
	}
	msg, _ := f.fake.Message("C0ADMIN", ts)
	next := func(id string, err error) slack.InteractionCallback {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		e := nextEvent(t, client, socketmode.EventTypeInteractive)
		client.Ack(*e.Request)
		cb := e.Data.(slack.InteractionCallback)
		if e.Request.EnvelopeID != id || cb.Type != slack.InteractionTypeBlockActions || cb.Container.MessageTs != ts ||
			cb.Container.ThreadTs != "1700000000.000001" || cb.Channel.Name != "admins" || cb.Message.Timestamp != ts {
			t.Fatalf("interaction %s = %+v", id, cb)
		}
		return cb
	}

	cb := next(f.fake.PushDate("U0ANN", msg, "2026-12-24"))
	if a := cb.ActionCallback.BlockActions[0]; a.Type != "datepicker" || a.SelectedDate != "2026-12-24" || a.InitialDate != "2026-12-01" || a.BlockID != "when" {
		t.Errorf("date action = %+v", a)
	}
	cb = next(f.fake.PushOptions("U0ANN", msg, "t:0", "t:2"))
	a := cb.ActionCallback.BlockActions[0]
	if a.Type != "multi_static_select" || len(a.SelectedOptions) != 2 || a.SelectedOptions[0].Value != "t:0" ||
		a.SelectedOptions[1].Text.Text != "churned" {
		t.Errorf("menu action = %+v", a)
	}
	cb = next(f.fake.PushButton("U0ANN", msg, "use"))
	st := cb.BlockActionState.Values
	if st["when"]["date"].SelectedDate != "2026-12-24" || st["when"]["time"].SelectedTime != "09:00" ||
		len(st["which"]["tags"].SelectedOptions) != 2 || cb.ActionCallback.BlockActions[0].Value != "use" {
		t.Errorf("state on the button press = %+v", st)
	}
	// Another user's client has its own state.
	cb = next(f.fake.PushTime("U0BEN", msg, "18:30"))
	if st := cb.BlockActionState.Values; st["when"]["date"].SelectedDate != "2026-12-01" || st["when"]["time"].SelectedTime != "18:30" ||
		len(st["which"]["tags"].SelectedOptions) != 1 {
		t.Errorf("another user's state = %+v", st)
	}
	if _, err := f.fake.PushOptions("U0ANN", msg, "t:9"); err == nil {
		t.Error("an option the menu lacks was picked")
	}
	// An update redraws the message: picks are forgotten, removed buttons
	// cannot be pressed.
	if _, _, _, err := f.api.UpdateMessageContext(ctx, "C0ADMIN", ts, slack.MsgOptionText("When?", false),
		slack.MsgOptionBlocks(slack.NewActionBlock("when2", date, clock))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.fake.PushButton("U0ANN", msg, "use"); err == nil {
		t.Error("a button removed by chat.update was pressed")
	}
	cb = next(f.fake.PushTime("U0ANN", msg, "10:15"))
	if st := cb.BlockActionState.Values; st["when2"]["date"].SelectedDate != "2026-12-01" || st["when2"]["time"].SelectedTime != "10:15" {
		t.Errorf("state after the update = %+v", st)
	}
}
