package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// waitUntil polls cond, for what the bot does on its own goroutines; the
// deadline only turns a hang into a failure.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond) // waiting for a condition, not a schedule
	}
}

// slackThreadMessage waits for the bot's newest message in a Slack thread
// whose text or blocks contain want.
func slackThreadMessage(t *testing.T, sl *platformtest.Slack, channel, thread, want string) platformtest.SlackMessage {
	t.Helper()
	var found platformtest.SlackMessage
	waitUntil(t, "the Slack thread shows "+want, func() bool {
		msgs := sl.Messages(channel)
		for i := len(msgs) - 1; i >= 0; i-- {
			if msgs[i].ThreadTS == thread && (strings.Contains(msgs[i].Text, want) || strings.Contains(msgs[i].Blocks, want)) {
				found = msgs[i]
				return true
			}
		}
		return false
	})
	return found
}

// TestMissedOneOffsAskTheirChatAndTheButtonsWork: Herald was down when
// three one-offs were due, hours ago. On start each origin chat — the
// Telegram admin group, a Slack thread — gets the missed-run prompt and
// nothing is sent; Send now (Telegram) delivers the broadcast exactly
// once, Reschedule (Slack) walks the timing step to a new time, and Cancel
// (Telegram) cancels.
func TestMissedOneOffsAskTheirChatAndTheButtonsWork(t *testing.T) {
	const group, alice = int64(-100777), int64(42)
	const slackChannel, slackAlice, thread = "C0HERALD", "U0ALICE", "1700000000.000100"
	const token = "123456:missed-test"
	fakes, u, cfg := adminGroupRig(t, token, group, alice)
	tg := fakes.Telegram
	fakes.Slack.AddChannel(platformtest.SlackChannel{ID: slackChannel, Name: "herald-admins"})
	cfg.Slack = SlackConfig{BotToken: "xoxb-missed", AppToken: "xapp-missed", APIURL: u.Slack,
		AllowedChannels: []string{slackChannel}, AllowedUsers: []string{slackAlice}}
	start := time.Now().UTC()

	// Before the outage: the database as Herald left it five hours ago.
	before, err := storage.Open(cfg.Storage.Path, storage.Options{Now: func() time.Time { return start.Add(-5 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	var subs []herald.Subscriber
	for _, id := range []string{"1001", "1002"} {
		subs = append(subs, herald.Subscriber{Platform: herald.Telegram, ID: id, Kind: herald.KindUser, State: herald.Subscribed,
			FirstSeen: start.Add(-time.Hour * 24), LastInteraction: start.Add(-time.Hour)})
	}
	if err := before.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	inGroup := herald.Origin{Frontend: "telegram", ChatID: "-100777", UserID: "42", UserName: "Alice"}
	inThread := herald.Origin{Frontend: "slack", ChatID: slackChannel + ":" + thread, UserID: slackAlice, UserName: "alice"}
	oneOff := func(name string, o herald.Origin, late time.Duration) herald.Broadcast {
		t.Helper()
		b := herald.Broadcast{Name: name, Status: herald.StatusScheduled, Origin: o, CreatedBy: o.Frontend + ":" + o.UserID,
			Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users, TagMatch: herald.AnyTag},
			Content:  herald.Content{Kind: herald.TextContent, Text: name + "!"},
			Schedule: herald.Schedule{Kind: herald.SendAt, At: start.Add(-late).Truncate(time.Minute)}}
		if err := before.CreateBroadcast(&b); err != nil {
			t.Fatal(err)
		}
		return b
	}
	doors := oneOff("Doors open", inGroup, 3*time.Hour)
	sale := oneOff("Flash sale", inThread, 2*time.Hour)
	old := oneOff("Old news", inGroup, 4*time.Hour)
	if err := before.Close(); err != nil {
		t.Fatal(err)
	}

	// Herald starts again.
	a := startTestApp(t, cfg, func() time.Time { return start })
	ctx := context.Background()
	a.parts.sched.Tick(ctx, start) // what the scheduler's own loop does at once, too

	prompt := waitForMessage(t, tg, group, "“Doors open” ("+doors.ID+") was due")
	mustHave(t, "the prompt in the Telegram group", prompt.Text+prompt.ReplyMarkup,
		"(UTC), but Herald was not running; missed by 3 h. It has not been sent.",
		`"/resume `+doors.ID+`"`, `"/edit `+doors.ID+` timing"`, `"/cancel `+doors.ID+`"`, "📤 Send now", "🕘 Reschedule", "🛑 Cancel broadcast")
	waitForMessage(t, tg, group, "“Old news” ("+old.ID+") was due")
	salePrompt := slackThreadMessage(t, fakes.Slack, slackChannel, thread, "“Flash sale” ("+sale.ID+") was due")
	mustHave(t, "the prompt in the Slack thread", salePrompt.Text+salePrompt.Blocks, "missed by 2 h", `"value":"/edit `+sale.ID+` timing"`)
	for _, b := range []herald.Broadcast{doors, sale, old} {
		if got, _ := a.store.Broadcast(b.ID); got.Status != herald.StatusPaused {
			t.Errorf("%s after the missed time: %s, want paused", b.Name, got.Status)
		}
	}
	delivered := func() int {
		return len(fakes.Recorder.To("telegram", "1001")) + len(fakes.Recorder.To("telegram", "1002"))
	}
	if n := delivered(); n != 0 {
		t.Fatalf("%d stale messages went out to subscribers", n)
	}

	// Send now, in the Telegram group: delivered once to each subscriber.
	g := groupChat(t, tg, token, group)
	g.press(groupUser(alice, "Alice"), prompt, "/resume "+doors.ID)
	waitForMessage(t, tg, group, "Its time has passed, so it goes out now.")
	a.parts.sched.Tick(ctx, start)
	waitForMessage(t, tg, group, "Report: Doors open")
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	// A second press of the old prompt's button sends nothing more.
	g.press(groupUser(alice, "Alice"), prompt, "/resume "+doors.ID)
	waitForMessage(t, tg, group, "Can't resume "+doors.ID)
	a.parts.sched.Tick(ctx, start)
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"1001", "1002"} {
		if got := fakes.Recorder.To("telegram", id); len(got) != 1 || !strings.Contains(got[0].Content, "Doors open!") {
			t.Errorf("subscriber %s got %+v; want “Doors open!” once", id, got)
		}
	}
	if runs, _ := a.store.RunsOf(doors.ID); len(runs) != 1 {
		t.Errorf("Doors open has %d runs, want 1", len(runs))
	}

	// Reschedule, in the Slack thread: the timing question, a new time,
	// confirmed at the summary.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := fakes.Slack.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	press := func(m platformtest.SlackMessage, value string) {
		t.Helper()
		if _, err := fakes.Slack.PushButton(slackAlice, m, value); err != nil {
			t.Fatal(err)
		}
	}
	press(salePrompt, "/edit "+sale.ID+" timing")
	timing := slackThreadMessage(t, fakes.Slack, slackChannel, thread, `"value":"tm:at"`)
	press(timing, "tm:at")
	slackThreadMessage(t, fakes.Slack, slackChannel, thread, "Type a date and time")
	newAt := start.Add(26 * time.Hour).Truncate(time.Minute)
	fakes.Slack.PushEvent(map[string]any{"type": "message", "channel": slackChannel, "channel_type": "channel", "user": slackAlice,
		"text": newAt.Format(herald.LocalLayout), "ts": "1700000200.000001", "thread_ts": thread, "parent_user_id": "U0FAKEBOT"})
	press(slackThreadMessage(t, fakes.Slack, slackChannel, thread, `"value":"sum:confirm"`), "sum:confirm")
	waitUntil(t, "Flash sale is scheduled again", func() bool {
		b, _ := a.store.Broadcast(sale.ID)
		return b.Status == herald.StatusScheduled
	})
	if b, _ := a.store.Broadcast(sale.ID); !b.Schedule.At.Equal(newAt) || b.Runs != 0 {
		t.Errorf("rescheduled Flash sale: at %s with %d runs; want %s, none yet", b.Schedule.At, b.Runs, newAt)
	}

	// Cancel, in the Telegram group.
	g.press(groupUser(alice, "Alice"), waitForMessage(t, tg, group, "“Old news” ("+old.ID+") was due"), "/cancel "+old.ID)
	waitForMessage(t, tg, group, "Canceled "+old.ID)
	if b, _ := a.store.Broadcast(old.ID); b.Status != herald.StatusCanceled {
		t.Errorf("Old news after Cancel: %s", b.Status)
	}
	if log, _ := a.store.AuditLog(doors.ID, 10); !hasAudit(log, "broadcast.missed", "system") || !hasAudit(log, "broadcast.resume", "telegram:42") {
		t.Errorf("Doors open's audit log lacks the missed run or Alice's Send now: %+v", log)
	}
	if n := delivered(); n != 2 {
		t.Errorf("%d messages went out to subscribers in all, want Doors open's 2", n)
	}
}

func hasAudit(log []herald.AuditEntry, action, actor string) bool {
	for _, e := range log {
		if e.Action == action && e.Actor == actor {
			return true
		}
	}
	return false
}

// mustHave fails for each of want that text lacks.
func mustHave(t *testing.T, what, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}
