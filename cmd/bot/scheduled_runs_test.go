package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

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
	wctx, cancel := context.WithTimeout(ctx, patience)
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

// TestRecurringBroadcastRunsEachOccurrenceAfresh takes a daily broadcast
// made in the Telegram admin group through two real occurrences, the
// scheduler's clock driven by Tick: each occurrence is a run of its own
// with its own progress message and report, the broadcast goes back to
// scheduled with the next day's time, the audience is resolved again (a
// subscriber who joined in between gets the second one), and nobody gets
// an occurrence twice. An occurrence missed while Herald was down is
// skipped, and the group is told.
func TestRecurringBroadcastRunsEachOccurrenceAfresh(t *testing.T) {
	const group, alice = int64(-100777), int64(42)
	const token = "123456:recurring-test"
	fakes, _, cfg := adminGroupRig(t, token, group, alice)
	tg := fakes.Telegram
	a, clock := startClockedApp(t, cfg)
	start := clock.Now()
	// at moves the scheduler's clock to when and does what is due by then.
	at := func(when time.Time) {
		clock.Set(when)
		a.parts.sched.Tick(context.Background(), when)
	}
	subscribe(t, a.store, herald.Telegram, start, []string{"vip"}, "1001", "1002")
	subscribe(t, a.store, herald.Telegram, start, nil, "1009") // not in the audience

	g := groupChat(t, tg, token, group)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Daily tip: drink water" to tag:vip on telegram every day 09:00`)
	confirmed := waitForMessage(t, tg, group, "is scheduled for 2 recipients")
	id := broadcastIDIn(confirmed.Text)
	b, err := a.store.Broadcast(id)
	if err != nil || b.Status != herald.StatusScheduled || b.Schedule.Kind != herald.SendRecurring {
		t.Fatalf("after confirming: %+v, %v", b, err)
	}
	first := b.Schedule.Next
	if first.IsZero() || first.Hour() != 9 || first.Minute() != 0 || !first.After(start) || first.Sub(start) > 24*time.Hour {
		t.Fatalf("first occurrence planned at %s; want the next 09:00 UTC after %s", first, start)
	}
	ctx := context.Background()
	got := func(id string) int { return len(fakes.Recorder.To("telegram", id)) }
	reports := func() []platformtest.TelegramMessage {
		var out []platformtest.TelegramMessage
		for _, m := range tg.Sent(group) {
			if strings.Contains(m.Text, "Report: Daily tip") {
				out = append(out, m)
			}
		}
		return out
	}
	// occurrence ticks the scheduler to at and waits for the run and its
	// report; it returns the broadcast as the run left it.
	occurrence := func(n int, due time.Time) herald.Broadcast {
		t.Helper()
		at(due.Add(-time.Second))
		if runs, _ := a.store.RunsOf(id); len(runs) != n-1 {
			t.Fatalf("a second before occurrence %d: %d runs", n, len(runs))
		}
		at(due)
		if err := a.parts.dispatch.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "the report of occurrence "+strconv.Itoa(n), func() bool { return len(reports()) == n })
		var b herald.Broadcast
		waitUntil(t, "the broadcast is handed back to the scheduler", func() bool {
			b, _ = a.store.Broadcast(id)
			return b.Status == herald.StatusScheduled && b.Runs == n
		})
		return b
	}

	b = occurrence(1, first)
	if got("1001") != 1 || got("1002") != 1 || got("1009") != 0 {
		t.Errorf("after the first occurrence: 1001 got %d, 1002 %d, 1009 %d; want 1, 1, 0", got("1001"), got("1002"), got("1009"))
	}
	second := first.Add(24 * time.Hour)
	if !b.Schedule.Next.Equal(second) {
		t.Errorf("after the first run the next occurrence is %s, want %s", b.Schedule.Next, second)
	}
	if r := reports()[0]; !strings.Contains(r.Text, "Telegram: ✅ 2 sent") {
		t.Errorf("the first report:\n%s", r.Text)
	}

	// A new subscriber in the audience joins between the occurrences.
	subscribe(t, a.store, herald.Telegram, start, []string{"vip"}, "1003")
	b = occurrence(2, second)
	for sub, want := range map[string]int{"1001": 2, "1002": 2, "1003": 1, "1009": 0} {
		if got(sub) != want {
			t.Errorf("after the second occurrence %s got %d messages, want %d", sub, got(sub), want)
		}
	}
	if !b.Schedule.Next.Equal(second.Add(24 * time.Hour)) {
		t.Errorf("after the second run the next occurrence is %s, want %s", b.Schedule.Next, second.Add(24*time.Hour))
	}
	runs, err := a.store.RunsOf(id)
	if err != nil || len(runs) != 2 || runs[0].ID == runs[1].ID || runs[0].Total != 2 || runs[1].Total != 3 {
		t.Fatalf("runs: %+v, %v; want two runs, of 2 and then 3 recipients", runs, err)
	}
	rs := reports()
	if len(rs) != 2 || rs[0].MessageID == rs[1].MessageID || !strings.Contains(rs[1].Text, "Telegram: ✅ 3 sent") {
		t.Errorf("want a second report of its own with 3 sent; the group has %d reports, the last:\n%s", len(rs), rs[len(rs)-1].Text)
	}
	// Each run had its own progress message in the group.
	var progress []string
	for _, m := range tg.Sent(group) {
		if strings.HasPrefix(m.Text, "📤 ") && strings.Contains(m.Text, "Daily tip") {
			progress = append(progress, m.Text)
		}
	}
	if len(progress) != 2 || !strings.Contains(progress[0], "2 / 2") || !strings.Contains(progress[1], "3 / 3") {
		t.Errorf("progress messages in the group:\n%s", strings.Join(progress, "\n---\n"))
	}

	// Herald is down over the third occurrence and wakes 3 h late: it
	// skips that one (stale), tells the group, and plans the fourth.
	third := second.Add(24 * time.Hour)
	at(third.Add(3 * time.Hour))
	skipped := waitForMessage(t, tg, group, "skipped its occurrence due")
	mustHave(t, "the skipped-occurrence notice", skipped.Text+skipped.ReplyMarkup, "Daily tip: drink water", "09:00 (UTC)",
		"missed by 3 h", `"/pause `+id+`"`)
	waitUntil(t, "the fourth occurrence is planned", func() bool {
		b, _ = a.store.Broadcast(id)
		return b.Schedule.Next.Equal(third.Add(24 * time.Hour))
	})
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if b.Status != herald.StatusScheduled || b.Runs != 2 || got("1001") != 2 || got("1003") != 1 {
		t.Errorf("after the skipped occurrence: %s with %d runs, 1001 got %d, 1003 got %d; want scheduled, 2, 2, 1",
			b.Status, b.Runs, got("1001"), got("1003"))
	}
}
