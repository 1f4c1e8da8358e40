package flows

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

// The words of a broadcast's history bypass the catalogue most easily:
// run statuses, delivery reasons and audit details are stored as codes or
// English. In Japanese and Chinese, /show, /log, /errors and a /cancel of
// a sending broadcast put all of them in words, automatic pauses and
// failed starts included.
func TestNoEnglishInRunsLogsAndErrors(t *testing.T) {
	for _, lang := range []string{"ja", "zh-CN", "zh-TW"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.send("/lang " + lang)
			b := h.scheduleOne("x")
			h.send("/clone " + b.ID)
			if _, err := h.store.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error { x.Status = herald.StatusSending; return nil }); err != nil {
				t.Fatal(err)
			}
			run := herald.Run{BroadcastID: b.ID, Status: herald.RunSending, StartedAt: t0}
			if err := h.store.CreateRun(&run); err != nil {
				t.Fatal(err)
			}
			reasons := []struct {
				o      herald.Outcome
				reason string
			}{{herald.Failed, herald.ReasonBlocked}, {herald.Skipped, herald.ReasonOutsideWindow}, {herald.Skipped, herald.ReasonOperatorChat},
				{herald.Skipped, herald.ReasonUnsubscribed}, {herald.Skipped, herald.ReasonCanceled}, {herald.Sent, ""}}
			var ds []herald.Delivery
			for i := range reasons {
				ds = append(ds, herald.Delivery{Seq: uint32(i + 1), Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U00" + string(rune('0'+i))}, Outcome: herald.Pending})
			}
			if err := h.store.AddDeliveries(run.ID, ds); err != nil {
				t.Fatal(err)
			}
			for i, r := range reasons {
				ds[i].Outcome, ds[i].Reason, ds[i].Attempts = r.o, r.reason, 1
			}
			if err := h.store.RecordOutcomes(run.ID, ds); err != nil {
				t.Fatal(err)
			}
			for _, e := range []herald.AuditEntry{
				{Actor: "system", Action: "broadcast.missed", Detail: "missed by 2h0m0s; paused until an admin decides"},
				{Actor: "system", Action: "broadcast.finished", Detail: "no occurrences left"},
				{Actor: "system", Action: "broadcast.auto_pause", Detail: herald.AutoPause{Failed: 12, Finished: 100, Threshold: 0.05}.String()},
				{Actor: "system", Action: "broadcast.start_failed", Detail: "dispatch: start " + b.ID + ": " + herald.ErrInvalidTransition.Error() + ": paused → sending"},
				{Actor: "system", Action: "broadcast.start_failed", Detail: "dispatch: start " + b.ID + ": storage: disk full"},
				{Actor: "telegram:bob", Action: "access.denied", Detail: "approve own broadcast"},
				{Actor: "telegram:bob", Action: "broadcast.edit_canceled", Detail: "scheduled"},
				{Actor: "telegram:bob", Action: "broadcast.scheduled", Detail: "edited"},
			} {
				e.At, e.Target = t0, b.ID
				if err := h.store.Audit(e); err != nil {
					t.Fatal(err)
				}
			}
			var seen []Reply
			for _, cmd := range []string{"/show " + b.ID, "/log " + b.ID, "/errors " + b.ID, "/cancel " + b.ID, "/cancel " + b.ID + " keep"} {
				seen = append(seen, h.send(cmd)...)
			}
			for _, r := range seen {
				if bad := untranslated(strings.ReplaceAll(r.Text, "Alice", "")); len(bad) > 0 { // a person's name
					t.Errorf("English in %s: %q in\n%s", lang, bad, r.Text)
				}
				if strings.Contains(r.Text, " (") || strings.Contains(r.Text, "): ") { // e.g. a time's zone, a count
					t.Errorf("half-width brackets in %s:\n%s", lang, r.Text)
				}
				for _, c := range r.Choices {
					if bad := untranslated(c.Label); len(bad) > 0 {
						t.Errorf("English button in %s: %q", lang, c.Label)
					}
				}
			}
		})
	}
}
