package adminchat_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

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
