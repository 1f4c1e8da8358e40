package flows

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// TestLogShowsEachRunsEndChannelsAndStatusInEveryLanguage: /log names a
// run's status in the admin's words, its channels and when it ended, and
// every action Herald records for a broadcast in words (the harness fails
// on a raw key such as "broadcast.submit" in any reply).
func TestLogShowsEachRunsEndChannelsAndStatusInEveryLanguage(t *testing.T) {
	for _, c := range []struct{ lang, status, open, zone string }{
		{"en", "completed", "not ended yet", " (Asia/Taipei)"},
		{"ja", "完了", "未終了", "（Asia/Taipei）"},
		{"zh-CN", "已完成", "尚未结束", "（Asia/Taipei）"},
		{"zh-TW", "已完成", "尚未結束", "（Asia/Taipei）"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			h := newHarness(t)
			h.send("/lang " + c.lang)
			b := h.scheduleOne("Alpha")
			done := herald.Run{BroadcastID: b.ID, Status: herald.RunCompleted, Total: 3, StartedAt: t0, FinishedAt: t0.Add(12 * time.Minute),
				Tally: map[herald.Platform]herald.Tally{herald.LINE: {Sent: 2}, herald.Telegram: {Sent: 1}}}
			open := herald.Run{BroadcastID: b.ID, Status: herald.RunSnapshotting, StartedAt: t0.Add(25 * time.Hour)}
			for _, r := range []*herald.Run{&done, &open} {
				if err := h.store.CreateRun(r); err != nil {
					t.Fatal(err)
				}
			}
			var entries []herald.AuditEntry
			for action := range auditKeys {
				entries = append(entries, herald.AuditEntry{Action: action})
			}
			// Newest, so /log's last 20 show them however many keys there are.
			entries = append(entries, herald.AuditEntry{Action: "broadcast.scheduled", Detail: "edited"}, herald.AuditEntry{Action: "broadcast.something_new"})
			for _, e := range entries {
				e.At, e.Actor, e.Target = t0, "system", b.ID
				if err := h.store.Audit(e); err != nil {
					t.Fatal(err)
				}
			}
			out := joined(h.send("/log " + b.ID))
			lines := strings.Split(out, "\n")
			if len(lines) < 3 {
				t.Fatalf("/log:\n%s", out)
			}
			first := lines[1]
			for _, want := range []string{c.status, "LINE", "Telegram", "2026-11-23 09:00" + c.zone + " → 09:12"} {
				if !strings.Contains(first, want) {
					t.Errorf("run 1 line lacks %q: %s", want, first)
				}
			}
			if !strings.Contains(lines[2], c.open) || !strings.Contains(lines[2], "2026-11-24 10:00") {
				t.Errorf("run 2 line does not say it has not ended: %s", lines[2])
			}
			if strings.Contains(out, "broadcast.") || !strings.Contains(out, "something new") {
				t.Errorf("/log shows a raw action:\n%s", out)
			}
			if c.lang != "en" && (strings.Contains(out, "completed") || strings.Contains(out, "(edited)")) {
				t.Errorf("/log shows an English status:\n%s", out)
			}
		})
	}
}

// /retry of a broadcast nobody failed says why there is nothing to send.
func TestRetryWithNobodyFailedSaysWhy(t *testing.T) {
	h := newHarness(t)
	b := h.saleSent()
	mustContain(t, h.send("/retry "+b.ID), b.ID+" has nobody to retry: nobody failed in its last run, or those who did can no longer be reached")
}
