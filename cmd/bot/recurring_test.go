package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

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
