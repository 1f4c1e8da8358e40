package adminchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/console"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
)

// missedRig is a Reporter printing into a real console whose admin then
// types what the prompt's buttons say, into a real flows engine: the
// console shows buttons as the commands they run.
type missedRig struct {
	*rig
	con *console.Console
}

func newMissedRig(t *testing.T) *missedRig {
	t.Helper()
	store, cat := flowsrig.Open(t, start, "U1")
	r := &missedRig{rig: &rig{t: t, store: store, clock: platformtest.NewClock(start)}}
	engine, err := flows.New(flows.Config{Store: store, Catalog: cat, Channels: []herald.Platform{herald.LINE}, Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r.con = r.report(engine, cat, console.Options{}, nil)
	return r
}

// missedOneOff stores a one-off for LINE that was due at at and that the
// scheduler paused because Herald was down then.
func (r *missedRig) missedOneOff(name string, at time.Time) herald.Broadcast {
	return r.broadcast(name, herald.Origin{}, func(b *herald.Broadcast) {
		b.Status = herald.StatusPaused
		b.Audience = herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users, TagMatch: herald.AnyTag}
		b.Content = herald.Content{Kind: herald.TextContent, Text: name}
		b.Schedule = herald.Schedule{Kind: herald.SendAt, At: at}
	})
}

// typed is what the console printed for the admin's line.
func (r *missedRig) typed(line string) string {
	r.t.Helper()
	r.rep.Wait()
	before := r.out.Len()
	if err := r.con.Send(context.Background(), line); err != nil {
		r.t.Fatal(err)
	}
	return r.out.String()[before:]
}

func (r *missedRig) status(id string) herald.Status {
	r.t.Helper()
	b, err := r.store.Broadcast(id)
	if err != nil {
		r.t.Fatal(err)
	}
	return b.Status
}

func TestMissedOneOffAsksToSendRescheduleOrCancel(t *testing.T) {
	r := newMissedRig(t)
	ctx := context.Background()
	send := r.missedOneOff("Doors open", start.Add(-3*time.Hour))
	later := r.missedOneOff("Flash sale", start.Add(-45*time.Minute))
	drop := r.missedOneOff("Old news", start.Add(-50*time.Hour))

	r.rep.Missed(ctx, send, 3*time.Hour)
	prompt := r.last()
	want := "⏰ “Doors open” (" + send.ID + ") was due today at 06:00 (UTC), but Herald was not running; missed by 3 h. It has not been sent.\n" +
		"Send it now, pick a new time, or cancel it.\n" +
		"type: /resume " + send.ID + " (📤 Send now) · /edit " + send.ID + " timing (🕘 Reschedule) · /cancel " + send.ID + " (🛑 Cancel broadcast)"
	if prompt != want {
		t.Errorf("the prompt reads:\n%s\nwant:\n%s", prompt, want)
	}
	r.rep.Missed(ctx, later, 45*time.Minute)
	mustContain(t, "the prompt 45 minutes late", r.last(), "was due today at 08:15 (UTC)", "missed by 45 min")
	r.rep.Missed(ctx, drop, 50*time.Hour)
	mustContain(t, "the prompt two days late", r.last(), "was due on 2026-11-21 at 07:00 (UTC)", "missed by 2 days")

	// Send now: the held one-off is scheduled again; its time has passed,
	// so the scheduler starts it at once, and the admin is told so.
	mustContain(t, "Send now", r.typed("/resume "+send.ID), "Resumed "+send.ID, "Its time has passed, so it goes out now.")
	if got := r.status(send.ID); got != herald.StatusScheduled {
		t.Errorf("after Send now: %s, want scheduled", got)
	}
	if log, _ := r.store.AuditLog(send.ID, 1); len(log) != 1 || log[0].Action != "broadcast.resume" || log[0].Actor != "console:admin" {
		t.Errorf("Send now was not audited as the admin's: %+v", log)
	}

	// Reschedule: straight to the timing question of an edit; the
	// broadcast is a draft meanwhile and Back leads to its summary.
	out := r.typed("/edit " + later.ID + " timing")
	mustContain(t, "Reschedule", out, later.ID+" is back to draft", "When should it go out?", "At a date and time (UTC)", "Back")
	mustLack(t, "Reschedule", out, "Summary of")
	if got := r.status(later.ID); got != herald.StatusDraft {
		t.Errorf("while rescheduling: %s, want draft", got)
	}
	mustContain(t, "Back from the timing question", r.typed("back"), "Summary of “Flash sale”")
	// Leaving the edit keeps it a draft (a draft is never paused again),
	// and says so: nothing goes out until it is confirmed.
	mustContain(t, "leaving the edit", r.typed("cancel"), "Stopped editing "+later.ID+". It stays a draft, so nothing will be sent")
	if got := r.status(later.ID); got != herald.StatusDraft {
		t.Errorf("after leaving the edit: %s, want draft", got)
	}
	// Its old prompt's Send now no longer applies: only what is paused resumes.
	mustContain(t, "a stale Send now", r.typed("/resume "+later.ID), "Can't resume "+later.ID+": it is draft.")

	mustContain(t, "Cancel", r.typed("/cancel "+drop.ID), "Canceled "+drop.ID, "Nothing more will be sent.")
	if got := r.status(drop.ID); got != herald.StatusCanceled {
		t.Errorf("after Cancel: %s, want canceled", got)
	}
}

func TestMissedRecurringOccurrenceIsToldAsSkipped(t *testing.T) {
	r := newMissedRig(t)
	// The creator reads times in Taipei: 09:00 there yesterday was 01:00 UTC.
	if err := r.store.SaveAdmin(herald.Admin{Key: "console:admin", Timezone: "Asia/Taipei"}); err != nil {
		t.Fatal(err)
	}
	b := r.broadcast("Daily tip", herald.Origin{}, func(b *herald.Broadcast) {
		b.Status = herald.StatusScheduled
		b.Schedule = herald.Schedule{Kind: herald.SendRecurring, Cron: "CRON_TZ=Asia/Taipei 0 9 * * *",
			Next: time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)}
	})
	r.rep.Missed(context.Background(), b, 32*time.Hour)
	want := "⏭ “Daily tip” (" + b.ID + ") skipped its occurrence due yesterday at 09:00 (Asia/Taipei): Herald was not running (missed by 32 h). " +
		"Nothing was sent for that one; the next occurrences go out as usual unless you pause it.\n" +
		"type: /show " + b.ID + " (🔍 Show) · /pause " + b.ID + " (⏸ Pause)"
	if got := r.last(); got != want {
		t.Errorf("the notice reads:\n%s\nwant:\n%s", got, want)
	}
}

// The prompt speaks its creator's language, lateness included.
func TestMissedPromptSpeaksTheCreatorsLanguage(t *testing.T) {
	tests := []struct {
		lang string
		late time.Duration
		want []string
	}{
		{"zh-TW", 3 * time.Hour, []string{"原定於 今天 06:00（UTC） 發出", "已延誤 3 小時", "📤 立即發送", "🕘 改期", "🛑 取消推播"}},
		{"zh-CN", 49 * time.Hour, []string{"已延误 2 天", "📤 立即发送", "🕘 改期"}},
		{"ja", 90 * time.Minute, []string{"今日 06:00（UTC） に配信予定", "2時間遅れています", "📤 今すぐ送信", "🕘 日時を変更"}},
		{"en", 25*time.Hour + 20*time.Minute, []string{"missed by 25 h"}},
		{"en", 20 * time.Second, []string{"missed by less than a minute"}},
		{"en", 22 * time.Second, []string{"missed by less than a minute"}},
		{"en", 90 * time.Second, []string{"missed by 2 min"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			r := newMissedRig(t)
			r.speak(tt.lang)
			b := r.missedOneOff("Doors open", start.Add(-3*time.Hour))
			r.rep.Missed(context.Background(), b, tt.late)
			got := r.last()
			mustContain(t, "the prompt", got, tt.want...)
			if strings.Contains(got, "missed.") || strings.Contains(got, "<no value>") {
				t.Errorf("the prompt shows a raw key or a gap:\n%s", got)
			}
		})
	}
}

// A broadcast whose chat has no surface (a frontend turned off since) is
// only logged by the scheduler: nothing is posted anywhere.
func TestMissedWithoutItsChatPostsNothing(t *testing.T) {
	r := newMissedRig(t)
	b := r.broadcast("Gone", herald.Origin{Frontend: "slack", ChatID: "C1", UserID: "U1"}, func(b *herald.Broadcast) {
		b.Status, b.Schedule = herald.StatusPaused, herald.Schedule{Kind: herald.SendAt, At: start.Add(-time.Hour)}
	})
	r.rep.Missed(context.Background(), b, time.Hour)
	if got := r.shown(); len(got) != 0 {
		t.Errorf("posted without a chat: %q", got)
	}
}

// A broadcast that came due but could not start is told in the chat it was
// made in, once, in its creator's language, with what to do: the held
// one-off's Send now starts it.
func TestStartFailedIsToldInTheCreatorsLanguage(t *testing.T) {
	tests := []struct {
		lang string
		want []string
	}{
		{"en", []string{"⚠️ “Doors open” (", ") was due today at 09:00 (UTC) but could not start, so nothing was sent; it is paused.",
			"look for broadcast_id=", "📤 Send now", "🕘 Reschedule", "🛑 Cancel broadcast"}},
		{"ja", []string{"今日 09:00（UTC） に配信予定でしたが、開始できなかったため何も送信されていません。", "サーバーログ", "📤 今すぐ送信"}},
		{"zh-CN", []string{"原定于 今天 09:00（UTC） 发出，但未能开始", "服务器日志", "📤 立即发送"}},
		{"zh-TW", []string{"原定於 今天 09:00（UTC） 發出，但未能開始", "伺服器日誌", "📤 立即發送"}},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			r := newMissedRig(t)
			r.speak(tt.lang)
			b := r.missedOneOff("Doors open", start)
			r.rep.Publish(context.Background(), herald.StartFailed{Broadcast: b})
			r.rep.Wait()
			if got := r.shown(); len(got) != 1 {
				t.Fatalf("the chat shows %d messages, want the one notice: %q", len(got), got)
			}
			got := r.last()
			mustContain(t, "the notice", got, tt.want...)
			if strings.Contains(got, "start_failed.") || strings.Contains(got, "<no value>") {
				t.Errorf("the notice shows a raw key or a gap:\n%s", got)
			}
			if tt.lang == "en" {
				mustContain(t, "Send now", r.typed("/resume "+b.ID), "Resumed "+b.ID, "Its time has passed, so it goes out now.")
			}
		})
	}
}

// A recurring broadcast's occurrence that could not start is told as
// skipped, the next ones still to come.
func TestStartFailedRecurringOccurrenceIsToldAsSkipped(t *testing.T) {
	r := newMissedRig(t)
	b := r.broadcast("Daily tip", herald.Origin{}, func(b *herald.Broadcast) {
		b.Status = herald.StatusScheduled
		b.Schedule = herald.Schedule{Kind: herald.SendRecurring, Cron: "0 9 * * *", Next: start}
	})
	r.rep.Publish(context.Background(), herald.StartFailed{Broadcast: b})
	r.rep.Wait()
	want := "⚠️ “Daily tip” (" + b.ID + ") could not start its occurrence due today at 09:00 (UTC), so nothing was sent for that one. " +
		"Ask whoever runs Herald to look for broadcast_id=" + b.ID + " in the server log; the next occurrences are tried as usual unless you pause it.\n" +
		"type: /show " + b.ID + " (🔍 Show) · /pause " + b.ID + " (⏸ Pause)"
	if got := r.last(); got != want {
		t.Errorf("the notice reads:\n%s\nwant:\n%s", got, want)
	}
}
