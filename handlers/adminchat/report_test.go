package adminchat_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/console"
)

// report is a finished three-channel run with every kind of reason.
func report(b herald.Broadcast) herald.Report {
	return herald.Report{
		Progress: herald.Progress{BroadcastID: b.ID, RunID: b.ID + "/1", Status: herald.RunCompleted, Total: 3460, StartedAt: start,
			Channels: map[herald.Platform]herald.Tally{
				herald.LINE:      {Sent: 1200, Failed: 3},
				herald.Telegram:  {Sent: 1990, Failed: 8, Skipped: 2},
				herald.Messenger: {Sent: 250, Skipped: 7},
			}},
		Failures: []herald.ReasonCount{
			{Platform: herald.Telegram, Reason: herald.ReasonBlocked, Count: 6},
			{Platform: herald.LINE, Reason: "HTTP 500", Count: 3},
			{Platform: herald.Telegram, Reason: "Bad Request: chat not found", Count: 2},
		},
		Skips: []herald.ReasonCount{
			{Platform: herald.Messenger, Reason: herald.ReasonOutsideWindow, Count: 5},
			{Platform: herald.Messenger, Reason: herald.ReasonOperatorChat, Count: 2},
			{Platform: herald.Telegram, Reason: herald.ReasonBlocked, Count: 2},
		},
		Duration: time.Hour + 5*time.Minute + 40*time.Second,
	}
}

// The report has every channel's totals and the sum, the failure and skip
// reasons as dispatch grouped and counted them, the duration, and buttons
// for the failed recipients' CSV and a clone.
func TestReportHasTotalsReasonsDurationAndButtons(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Year-end offer", herald.Origin{}, nil)
	r.rep.Finished(context.Background(), report(b))
	want := strings.Join([]string{
		"📊 Report: Year-end offer (" + b.ID + ") — completed",
		"LINE: ✅ 1,200 sent · ❌ 3 failed · ⏭ 0 skipped",
		"Telegram: ✅ 1,990 sent · ❌ 8 failed · ⏭ 2 skipped",
		"Messenger: ✅ 250 sent · ❌ 0 failed · ⏭ 7 skipped",
		"All channels: ✅ 3,440 sent · ❌ 11 failed · ⏭ 9 skipped",
		"",
		"Why deliveries failed:",
		"• 6 × Telegram: blocked the bot or left",
		"• 3 × LINE: HTTP 500",
		"• 2 × Telegram: Bad Request: chat not found",
		"",
		"Why recipients were skipped:",
		"• 5 × Messenger: outside the 24-hour window",
		"• 2 × Messenger: held for an open operator chat",
		"• 2 × Telegram: blocked the bot or left",
		"",
		"⏱ Took 1 h 5 min",
		"type: /errors " + b.ID + " (⚠️ Errors) · /retry " + b.ID + " (🔁 Retry failed (5)) · /clone " + b.ID + " (📑 Clone)",
	}, "\n")
	if got := r.last(); got != want {
		t.Errorf("report:\n%s\n\nwant:\n%s", got, want)
	}
}

// A run resumed after a crash says how many recipients were mid-send, and
// why those it did not send again were skipped.
func TestReportCountsTheUncertain(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Hello", herald.Origin{}, nil)
	p := r.progress(b, b.ID+"/1", herald.RunCompleted, 100, herald.Tally{Sent: 97, Skipped: 3, Uncertain: 3})
	r.rep.Finished(context.Background(), herald.Report{Progress: p, Duration: 2 * time.Second,
		Skips: []herald.ReasonCount{{Platform: herald.LINE, Reason: herald.ReasonUncertain, Count: 3}}})
	mustContain(t, "report", r.last(), "⚠️ 3 recipients were mid-send when the bot stopped",
		"• 3 × LINE: outcome unknown: mid-send when the bot stopped, not sent again", "/errors "+b.ID)
}

// A run nobody failed in offers no error list; one channel needs no sum.
func TestCleanReportOffersOnlyClone(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Hello", herald.Origin{}, nil)
	r.rep.Finished(context.Background(), herald.Report{
		Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 3, herald.Tally{Sent: 3}), Duration: 2 * time.Second})
	got := r.last()
	mustContain(t, "report", got, "LINE: ✅ 3 sent · ❌ 0 failed · ⏭ 0 skipped", "⏱ Took 2 s", "type: /clone "+b.ID+" (📑 Clone)")
	mustLack(t, "report", got, "All channels", "/errors", "Why")
}

// A sampled broadcast's report says which draw it sent to; a holdout's
// says how many were kept out as its control group.
func TestReportShowsTheSampleAndTheControlGroup(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Survey", herald.Origin{}, func(b *herald.Broadcast) {
		b.Audience.Sample = &herald.Sample{HoldoutPercent: 5, Seed: 36}
	})
	r.rep.Finished(context.Background(), herald.Report{Control: 61,
		Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 1159, herald.Tally{Sent: 1159}), Duration: 2 * time.Second})
	mustContain(t, "report", r.last(), "🎲 All but a random 5% control group, kept out for comparing (draw 10)",
		"🎲 Control group: 5% = 61 people, not sent")
	c := r.broadcast("Cap", herald.Origin{}, func(b *herald.Broadcast) { b.Audience.Sample = &herald.Sample{Max: 1000, Seed: 35} })
	r.rep.Finished(context.Background(), herald.Report{
		Progress: r.progress(c, c.ID+"/1", herald.RunCompleted, 1000, herald.Tally{Sent: 1000}), Duration: 2 * time.Second})
	mustContain(t, "report", r.last(), "🎲 At most 1,000 of them, picked at random (draw z)")
	mustLack(t, "report", r.last(), "Control group")
}

// A canceled run's report counts who never got it; a run that failed says
// why and what to do.
func TestCanceledAndFailedRunsSayWhatHappened(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Oops", herald.Origin{}, nil)
	rep := herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunCanceled, 100, herald.Tally{Sent: 40, Skipped: 60}),
		Skips: []herald.ReasonCount{{Platform: herald.LINE, Reason: herald.ReasonCanceled, Count: 60}}, Duration: 90 * time.Second}
	r.rep.Finished(context.Background(), rep)
	mustContain(t, "canceled report", r.last(), "— canceled", "• 60 × LINE: broadcast canceled", "⏱ Took 1 min 30 s")

	b = r.broadcast("Broken", herald.Origin{}, nil)
	rep = herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunFailed, 0, herald.Tally{}), Duration: time.Second}
	rep.PauseReason = "dispatch: snapshot " + b.ID + "/1: storage: disk full"
	r.rep.Finished(context.Background(), rep)
	msgs := r.shown()
	mustLack(t, "progress of a run that failed before it had recipients", msgs[len(msgs)-2], "100%", "█")
	mustContain(t, "failed report", r.last(), "— failed",
		"❗ The run stopped on an error: dispatch: snapshot "+b.ID+"/1: storage: disk full. See the bot's log; press 📑 Clone to send it again.")
}

// Progress and report speak the language the broadcast's creator chose
// with /lang, whoever presses what; every shipped language has every
// line (no key names, no missing values).
func TestProgressAndReportSpeakTheCreatorsLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"— sending", "⚡ 12.5/s · ⏳ about 3 min left for this group", "🕘 40 wait for 09:00 in their own timezone",
			"💬 3 held while", "Why recipients were skipped:", "⏱ Took 1 h 5 min", "(⏸ Pause)"}},
		{"zh-TW", []string{"— 發送中", "⚡ 每秒 12.5 則 · ⏳ 這一批約剩 3 分鐘", "🕘 40 位在等各自時區的 09:00", "💬 3 位正在與客服對話",
			"• 5 × Messenger：超出 24 小時視窗", "⏱ 耗時 1 小時 5 分", "(⏸ 暫停)", "全部頻道：✅ 已傳送 3,440"}},
		{"zh-CN", []string{"— 发送中", "⚡ 每秒 12.5 条 · ⏳ 这一批约剩 3 分钟", "🕘 40 位在等各自时区的 09:00", "💬 3 位正在与客服会话",
			"• 5 × Messenger：超出 24 小时窗口", "⏱ 用时 1 小时 5 分", "(⏸ 暂停)", "全部渠道：✅ 已发送 3,440"}},
		{"ja", []string{"— 配信中", "⚡ 毎秒 12.5 件 · ⏳ このグループは残り約 3分", "🕘 40 人は各自のタイムゾーンの 09:00 を待っています",
			"💬 3 人はオペレーターとのチャット中", "• 5 × Messenger：24 時間枠の外", "⏱ 所要時間 1時間5分", "(⏸ 一時停止)", "全チャネル：✅ 送信 3,440"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			r := newRig(t, nil)
			r.speak(tc.lang)
			ctx := context.Background()
			b := r.broadcast("Sale", herald.Origin{}, func(b *herald.Broadcast) {
				b.Schedule = herald.Schedule{Kind: herald.SendUserLocal, Local: "2026-11-24 09:00"}
			})
			p := r.progress(b, b.ID+"/1", herald.RunSending, 100, herald.Tally{Sent: 10, Pending: 87})
			p.Held, p.Waiting, p.NextAt = 3, 40, start.Add(90*time.Minute)
			p.Rate, p.ETA = 12.5, 150*time.Second
			r.rep.Progress(ctx, p)
			progress := r.last()
			r.rep.Finished(ctx, report(b))
			all := progress + "\n\n" + r.last()
			t.Log("\n" + all)
			mustContain(t, "progress and report", all, tc.want...)
			mustLack(t, "progress and report", all, "<no value>", "progress.", "report.", "duration.", "reason.")
		})
	}
}

// The report says per button and per link in the text how many people
// tapped or clicked it and their share of those it reached; a link nobody
// clicked is left out (it may have gone out direct).
func TestReportShowsTappersAndClickers(t *testing.T) {
	r := newRig(t, nil)
	b := r.broadcast("Sale", herald.Origin{}, func(b *herald.Broadcast) {
		b.Content = herald.Content{Kind: herald.TextContent, Text: "Sale: https://shop.example/sale and https://shop.example/faq", Buttons: []herald.Button{
			{ID: "b1", Label: "Interested", Kind: herald.ActionButton, AddTags: []string{"sale"}},
			{ID: "b2", Label: "Shop", Kind: herald.URLButton, URL: "https://shop.example"},
			{ID: "b3", Label: "Blog", Kind: herald.URLButton, URL: "https://blog.example"}}}
	})
	line := func(id string) herald.SubscriberKey { return herald.SubscriberKey{Platform: herald.LINE, ID: id} }
	if err := r.store.RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U1")},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U1")}, {BroadcastID: b.ID, ButtonID: "b1", Subscriber: line("U2")}}); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "b2", Seq: 1},
		{BroadcastID: b.ID, ButtonID: "link1", Seq: 1}, {BroadcastID: b.ID, ButtonID: "link1", Seq: 2}}); err != nil {
		t.Fatal(err)
	}
	r.rep.Finished(context.Background(), herald.Report{
		Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 8, herald.Tally{Sent: 8}), Duration: time.Second})
	got := r.last()
	mustContain(t, "report", got, "Buttons so far:",
		"• Interested: tapped by 2 (25% of delivered), 3 taps",
		"• Shop: clicked by 1 (12.5% of delivered), 1 click",
		"• link 1: shop.example/sale: clicked by 2 (25% of delivered), 2 clicks")
	mustLack(t, "report", got, "Blog", "faq")
}

// apiOrigin is how handlers/api records a broadcast made by the "crm"
// integration.
var apiOrigin = herald.Origin{Frontend: adminchat.APIFrontend, UserID: "crm", UserName: "crm"}

// Broadcasts made through the HTTP API have no chat of their own: with
// APIChat set, their progress, report and notices go there, saying who
// made them.
func TestAPIBroadcastsReportInTheConfiguredChat(t *testing.T) {
	r := newRig(t, func(o *adminchat.Options) {
		o.APIChat = herald.Origin{Frontend: console.Frontend, ChatID: "ops"}
	})
	ctx := context.Background()
	b := r.broadcast("Order follow-up", apiOrigin, nil)
	r.rep.Progress(ctx, r.progress(b, b.ID+"/1", herald.RunSending, 20, herald.Tally{Sent: 5, Pending: 15}))
	mustContain(t, "progress", r.last(), "📤 Order follow-up ("+b.ID+") — sending", "🔌 Made through the API by “crm”", "/pause "+b.ID)
	r.rep.Finished(ctx, herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 20, herald.Tally{Sent: 20}), Duration: time.Minute})
	mustContain(t, "report", r.last(), "📊 Report: Order follow-up ("+b.ID+") — completed", "🔌 Made through the API by “crm”", "⏱ Took 1 min")

	r.rep.Upcoming(ctx, b, start.Add(time.Hour))
	mustContain(t, "heads-up", r.last(), "Order follow-up ("+b.ID+") goes out today at 10:00 (UTC)")
}

// Without APIChat an API broadcast is not shown in any chat; the log says
// how it went and how to follow such runs in a chat.
func TestAPIBroadcastsWithoutAChatAreOnlyLogged(t *testing.T) {
	r := newRig(t, nil)
	ctx := context.Background()
	b := r.broadcast("Order follow-up", apiOrigin, nil)
	r.rep.Progress(ctx, r.progress(b, b.ID+"/1", herald.RunSending, 20, herald.Tally{Sent: 5, Pending: 15}))
	r.rep.Finished(ctx, herald.Report{Progress: r.progress(b, b.ID+"/1", herald.RunCompleted, 20, herald.Tally{Sent: 18, Failed: 2}),
		Duration: time.Minute})
	r.rep.Upcoming(ctx, b, start.Add(time.Hour))
	if msgs := r.shown(); len(msgs) != 0 {
		t.Fatalf("an API broadcast was shown with no chat configured: %q", msgs)
	}
	log := r.log.String()
	mustContain(t, "log", log, "set api.report_to", "broadcast_id="+b.ID, "client=crm",
		"run finished", "sent=18 failed=2")
	if n := strings.Count(log, "set api.report_to"); n != 1 {
		t.Errorf("the hint was logged %d times for one run; want once:\n%s", n, log)
	}
}
