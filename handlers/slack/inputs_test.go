package slack

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// toAudience runs /herald new up to the audience menu (Step 3) and
// returns the thread.
func (r *rig) toAudience(user, name string) string {
	r.t.Helper()
	r.slash(user, "new")
	thread := r.last("is working with Herald").TS
	r.reply(user, thread, name)
	r.press(user, r.last("Step 2"), "ch:line")
	r.press(user, r.last("Step 2"), "done")
	return thread
}

// element is the first element of type typ in m's blocks, as JSON fields.
func element(t *testing.T, m platformtest.SlackMessage, typ string) map[string]json.RawMessage {
	t.Helper()
	var blocks []struct {
		Elements []map[string]json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal([]byte(m.Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	for _, b := range blocks {
		for _, el := range b.Elements {
			if string(el["type"]) == `"`+typ+`"` {
				return el
			}
		}
	}
	t.Fatalf("message %s has no %s: %s", m.TS, typ, m.Blocks)
	return nil
}

// buttons are the values of m's buttons, in order.
func buttons(t *testing.T, m platformtest.SlackMessage) []string {
	t.Helper()
	var blocks []struct {
		Elements []struct{ Type, Value string } `json:"elements"`
	}
	if err := json.Unmarshal([]byte(m.Blocks), &blocks); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range blocks {
		for _, el := range b.Elements {
			if el.Type == "button" {
				out = append(out, el.Value)
			}
		}
	}
	return out
}

func field(t *testing.T, el map[string]json.RawMessage, name string, v any) {
	t.Helper()
	if err := json.Unmarshal(el[name], v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func TestDateAndTimePickersAnswerTheTimingStep(t *testing.T) {
	r := newRig(t)
	thread := r.toAudience(alice, "Picked sale")
	r.press(alice, r.last("Step 3"), "done")
	r.press(alice, r.last("Step 4"), "ct:text")
	r.reply(alice, thread, "See you soon")
	r.press(alice, r.last("Step 5"), "done")
	r.press(alice, r.last("Step 6"), "tm:at")

	ask := r.last("When should it go out?")
	var day, clock, zone string
	field(t, element(t, ask, "datepicker"), "initial_date", &day)
	timePicker := element(t, ask, "timepicker")
	field(t, timePicker, "initial_time", &clock)
	field(t, timePicker, "timezone", &zone)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format("2006-01-02")
	if day != tomorrow || clock != "09:00" || zone != "UTC" || !strings.Contains(ask.Blocks, `"text":"Use this time"`) {
		t.Fatalf("pickers not prefilled with the suggestion (%s %s %s): %s", day, clock, zone, ask.Blocks)
	}

	// A time already past is refused; the question comes again with its
	// pickers, and nothing else is lost.
	today := time.Now().UTC().Format("2006-01-02")
	r.sent(r.fake.PushDate(alice, ask, today))
	r.sent(r.fake.PushTime(alice, ask, "00:00"))
	if n := len(r.fake.Messages(channel)); r.last("When should it go out?").TS != ask.TS {
		t.Fatalf("a pick alone answered the question (%d messages)", n)
	}
	r.press(alice, ask, actionUse)
	if m := r.message(ask.TS); strings.Contains(m.Blocks, `"type":"actions"`) || !strings.Contains(m.Blocks, "→ "+today+" 00:00") {
		t.Fatalf("the answered question does not show the picked time: %s", m.Blocks)
	}
	again := r.last("That time is in the past")
	element(t, again, "datepicker")

	// Bob cannot answer Alice's question.
	r.press(bob, again, actionUse)
	if m := r.last("another admin's broadcast"); m.User != bob {
		t.Fatalf("Bob's press: %+v", m)
	}

	later := time.Now().UTC().AddDate(0, 0, 2)
	r.sent(r.fake.PushDate(alice, again, later.Format("2006-01-02")))
	r.sent(r.fake.PushTime(alice, again, "18:30"))
	r.press(alice, again, actionUse)
	want := later.Format("2006-01-02") + " 18:30"
	sum := r.last("Summary of")
	if !strings.Contains(sum.Blocks, "⏰ At "+want+" (UTC)") {
		t.Fatalf("summary lacks the picked time %s: %s", want, sum.Blocks)
	}
	r.press(alice, sum, "sum:confirm")
	bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{})
	at, _ := time.Parse("2006-01-02 15:04", want)
	if len(bs) != 1 || bs[0].Schedule.Kind != herald.SendAt || !bs[0].Schedule.At.Equal(at) {
		t.Fatalf("saved schedule: %+v", bs)
	}
}

func TestTagMenuPicksTheAudience(t *testing.T) {
	r := newRig(t)
	now := time.Now()
	tagged := map[string][]string{"U4": {"vip", "gold"}, "U5": {"vip"}, "U6": {"early"}, "U7": {"beta"},
		"U8": {"churned"}, "U9": {"silver"}, "U10": {"bronze"}}
	var subs []herald.Subscriber
	for id, tags := range tagged {
		s := herald.Subscriber{Platform: herald.LINE, ID: id, Kind: herald.KindUser, State: herald.Subscribed, LastInteraction: now}
		s.SetTags(tags)
		subs = append(subs, s)
	}
	if err := r.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	r.toAudience(alice, "Tagged sale")
	r.press(alice, r.last("Step 3"), "aud:tags")
	menu := r.last("Only people with these tags")
	var opts []struct {
		Text  struct{ Text string } `json:"text"`
		Value string                `json:"value"`
	}
	field(t, element(t, menu, "multi_static_select"), "options", &opts)
	value := map[string]string{}
	for _, o := range opts {
		value[o.Text.Text] = o.Value
	}
	vip, gold := value["vip (2)"], value["gold (1)"]
	if len(opts) != 7 || vip == "" || gold == "" {
		t.Fatalf("seven tags should be one menu: %s", menu.Blocks)
	}
	if got := buttons(t, menu); strings.Join(got, " ") != "done back cancel" {
		t.Fatalf("buttons beside the menu = %v, want Done, Back, Cancel", got)
	}

	r.sent(r.fake.PushOptions(alice, menu, vip))
	m := r.message(menu.TS)
	if m.Updates != 1 || !strings.Contains(m.Blocks, "2 recipients") || !strings.Contains(m.Blocks, `"initial_options":[{"text":{"type":"plain_text","text":"vip (2)"`) {
		t.Fatalf("the menu's message was not redrawn with the count: updates=%d %s", m.Updates, m.Blocks)
	}
	// twice selects first, then second, on m as drawn, before Herald
	// redraws it, and returns the menu once both are applied.
	twice := func(m platformtest.SlackMessage, first, second []string) platformtest.SlackMessage {
		t.Helper()
		id1, err1 := r.fake.PushOptions(alice, m, first...)
		id2, err2 := r.fake.PushOptions(alice, m, second...)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		r.waitAck(id1, id2)
		return r.message(menu.TS)
	}
	goldAlone := func(m platformtest.SlackMessage) bool {
		return strings.Contains(m.Blocks, "1 recipient") && strings.Contains(m.Blocks, `"initial_options":[{"text":{"type":"plain_text","text":"gold (1)"`)
	}
	// Two changes before Herald redraws the menu: both carry the menu as
	// drawn (vip alone), yet the second is applied to what the first left.
	if m = twice(m, []string{vip, gold}, []string{gold}); !goldAlone(m) {
		t.Fatalf("the menu does not show just gold: %s", m.Blocks)
	}
	// Vip added and dropped again, faster than Herald redraws: the second
	// selection equals the menu as drawn (gold alone), so only what
	// Herald remembers of flows' state tells that vip must go.
	if m = twice(m, []string{gold, vip}, []string{gold}); !goldAlone(m) {
		t.Fatalf("vip was not dropped again: %s", m.Blocks)
	}
	r.press(alice, m, "done")
	aud := r.last("Step 3")
	if !strings.Contains(aud.Blocks, "With any of the tags: gold") || !strings.Contains(aud.Blocks, "1 recipient") {
		t.Fatalf("the audience is not the menu's selection: %s", aud.Blocks)
	}
}

// An admin who chose Japanese with /lang gets Slack's own words (the
// thread's first line, the pickers) in Japanese too, not only flows'
// replies; another admin keeps the default.
func TestSlackSpeaksEachAdminsLanguage(t *testing.T) {
	r := newRig(t)
	r.slash(alice, "lang ja")
	r.slash(alice, "new")
	thread := r.last("さんがこのスレッドで Herald を操作しています").TS
	r.reply(alice, thread, "Picked sale")
	for _, value := range []string{"ch:line", "done", "done", "ct:text"} {
		r.press(alice, r.last(`"`+value+`"`), value)
	}
	r.reply(alice, thread, "See you soon")
	for _, value := range []string{"done", "tm:at"} {
		r.press(alice, r.last(`"`+value+`"`), value)
	}
	ask := r.last(`"datepicker"`)
	for _, want := range []string{"日付を選択", "この日時にする"} {
		if !strings.Contains(ask.Blocks, want) {
			t.Errorf("the pickers lack %q: %s", want, ask.Blocks)
		}
	}
	r.slash(bob, "new")
	r.last("<@" + bob + "> is working with Herald in this thread")
}
