package flows

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

func (h *harness) scheduleOne(name string) herald.Broadcast {
	h.t.Helper()
	h.advance(time.Minute) // distinct creation times keep "newest first" exact
	h.send(`/new "` + name + `" to tag:vip on line at 2026-12-01 09:00`)
	h.press("sum:confirm")
	bs, err := h.store.FindBroadcasts(name, 1)
	if err != nil || len(bs) != 1 {
		h.t.Fatalf("find %q: %v %v", name, bs, err)
	}
	return bs[0]
}

// startRun stores a sending run of broadcast id with two LINE recipients
// pending, as dispatch leaves it after the snapshot.
func (h *harness) startRun(id string) (herald.Run, []herald.Delivery) {
	h.t.Helper()
	run := herald.Run{BroadcastID: id, Status: herald.RunSending, StartedAt: t0}
	if err := h.store.CreateRun(&run); err != nil {
		h.t.Fatal(err)
	}
	ds := []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U000"}, Outcome: herald.Pending},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U001"}, Outcome: herald.Pending},
	}
	if err := h.store.AddDeliveries(run.ID, ds); err != nil {
		h.t.Fatal(err)
	}
	return run, ds
}

// A status filter with nothing in it (/list drafts, /list failed, …) says
// so in a sentence, in every language, and offers the whole list.
func TestListEmptyStatusIsASentence(t *testing.T) {
	filters := []string{"scheduled", "drafts", "pending", "sending", "paused", "completed", "canceled", "failed"}
	inEachLang(t, map[string][]string{ // a sentence for each of filters, in order
		"en": {"No broadcasts are scheduled.", "No drafts right now.", "No broadcasts are waiting for approval.", "No broadcasts are sending right now.",
			"No broadcasts are paused.", "No completed broadcasts yet.", "No canceled broadcasts.", "No failed broadcasts."},
		"ja": {"予約済みの配信はありません。", "下書きはありません。", "承認待ちの配信はありません。", "いま送信中の配信はありません。",
			"一時停止中の配信はありません。", "完了した配信はまだありません。", "中止した配信はありません。", "失敗した配信はありません。"},
		"zh-CN": {"没有已安排的群发。", "没有草稿。", "没有等待批准的群发。", "目前没有发送中的群发。",
			"没有已暂停的群发。", "还没有已完成的群发。", "没有已取消的群发。", "没有失败的群发。"},
		"zh-TW": {"沒有已排程的推播。", "沒有草稿。", "沒有等待核准的推播。", "目前沒有發送中的推播。",
			"沒有已暫停的推播。", "還沒有已完成的推播。", "沒有已取消的推播。", "沒有失敗的推播。"},
	}, func(t *testing.T, h *harness, want []string) {
		for i, f := range filters {
			if i == 1 { // nothing scheduled is said above; the rest are none of them, not none at all
				h.scheduleOne("Alpha")
			}
			listSaysNone(t, h, f, want[i])
		}
	})
}

// A page past the end says so, and offers the first page, instead of
// saying there are none: page 1 has some.
func TestListPastTheLastPageSaysSo(t *testing.T) {
	h := newHarness(t)
	h.scheduleOne("Alpha")
	for words, first := range map[string]string{"/list scheduled 2": "/list scheduled", "/list 3": "/list"} {
		rs := h.send(words)
		mustContain(t, rs, "There is no page")
		if got := joined(rs); strings.Contains(got, "No broadcasts") {
			t.Errorf("%s says there are none:\n%s", words, got)
		}
		if ids := choiceIDs(rs); !contains(ids, first) {
			t.Errorf("%s offers %v; want %s", words, ids, first)
		}
	}
}

// inEachLang runs f for each language's wanted text, in a harness of its
// own that speaks that language.
func inEachLang[W any](t *testing.T, wants map[string]W, f func(t *testing.T, h *harness, want W)) {
	t.Helper()
	for lang, want := range wants {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t)
			h.send("/lang " + lang)
			f(t, h, want)
		})
	}
}

func TestListShowPauseResumeCancel(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	b := h.scheduleOne("Bravo")
	rs := h.send("/list")
	mustContain(t, rs, "Broadcasts, newest first", b.ID+" · Bravo · scheduled · 2026-12-01 09:00 (Asia/Taipei)")
	if got := joined(rs); strings.Index(got, "Bravo") > strings.Index(got, "Alpha") {
		t.Errorf("list is not newest first:\n%s", got)
	}
	mustContain(t, h.send("/list drafts"), "No drafts right now.")
	mustContain(t, h.send("/list sometimes"), "I don't know the list “sometimes”")

	rs = h.send("/show " + strings.ToLower(strings.TrimPrefix(a.ID, "B-")))
	mustContain(t, rs, a.ID+" · Alpha · scheduled", "With any of the tags: vip")
	if ids := choiceIDs(rs); !contains(ids, "/pause "+a.ID) || !contains(ids, "/cancel "+a.ID) {
		t.Errorf("show offers %v; want pause and cancel", ids)
	}
	mustContain(t, h.press("/pause "+a.ID), "Paused "+a.ID)
	mustContain(t, h.send("/pause "+a.ID), "Can't pause "+a.ID+": it is paused.")
	mustContain(t, h.send("/resume "+a.ID), "Resumed")
	mustContain(t, h.send("/cancel "+a.ID), "Canceled "+a.ID)
	if got, _ := h.store.Broadcast(a.ID); got.Status != herald.StatusCanceled {
		t.Errorf("status %s after /cancel", got.Status)
	}
	mustContain(t, h.send("/show B-ZZZZ"), "There's no broadcast B-ZZZZ")
	mustContain(t, h.send("/show"), "Which broadcast? Type /show followed by its ID")

	log, _ := h.store.AuditLog(a.ID, 10)
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"broadcast.pause", "broadcast.resume", "broadcast.cancel"} {
		if !contains(actions, want) {
			t.Errorf("audit log %v lacks %s", actions, want)
		}
	}
	mustContain(t, h.send("/log "+a.ID), "Alpha", "· Alice · canceled", "· Alice · paused", "confirmed and scheduled")
}

func TestCloneDeleteFind(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	rs := h.send("/clone " + a.ID)
	mustContain(t, rs, "Copied "+a.ID+" into a new draft", "Summary of “Alpha (copy)”")
	h.press("sum:draft")
	found, _ := h.store.FindBroadcasts("alpha (copy)", 5)
	if len(found) != 1 || found[0].Status != herald.StatusDraft || found[0].Content.Text != "Alpha" {
		t.Fatalf("clone = %+v", found)
	}
	// A second copy while the first exists is numbered; in Japanese, with
	// its own brackets.
	h.send("/lang ja")
	mustContain(t, h.send("/clone "+a.ID), "「Alpha（コピー）」")
	h.press("sum:draft")
	h.send("/lang en")
	mustContain(t, h.send("/clone "+a.ID), "Summary of “Alpha (copy 2)”")
	h.press("sum:draft")
	mustContain(t, h.send("/find alp"), a.ID, found[0].ID)
	mustContain(t, h.send("/find zebra"), "Nothing matches “zebra”")
	mustContain(t, h.send("/delete "+found[0].ID), "Deleted")
	if _, err := h.store.Broadcast(found[0].ID); err == nil {
		t.Error("deleted broadcast still stored")
	}
}

func TestErrorsListsFailuresWithACSV(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	mustContain(t, h.send("/errors "+a.ID), "has no failed recipients")
	run, subs := h.startRun(a.ID)
	subs[0].Outcome, subs[0].Reason, subs[0].Attempts = herald.Failed, herald.ReasonBlocked, 1
	subs[1].Outcome = herald.Sent
	if err := h.store.RecordOutcomes(run.ID, subs); err != nil {
		t.Fatal(err)
	}
	if got, err := h.store.Deliveries(run.ID, herald.Failed, 0, 10); len(got) != 1 {
		t.Fatalf("setup: failed deliveries = %+v, %v", got, err)
	}
	rs := h.send("/errors " + a.ID)
	mustContain(t, rs, "1 recipient failed", "• blocked the bot or left: 1")
	if rs[0].File == nil || !strings.Contains(string(rs[0].File.Data), "line,U000,blocked,1") {
		t.Errorf("CSV attachment = %+v", rs[0].File)
	}
	// a recipient a crash left mid-send, skipped so as never to send twice
	gone := herald.Delivery{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.Telegram, ID: "42"}, Outcome: herald.Pending}
	if err := h.store.AddDeliveries(run.ID, []herald.Delivery{gone}); err != nil {
		t.Fatal(err)
	}
	gone.Outcome, gone.Reason = herald.Skipped, herald.ReasonUncertain
	if err := h.store.SettleInFlight(run.ID, []herald.Delivery{gone}, true); err != nil {
		t.Fatal(err)
	}
	rs = h.send("/errors " + a.ID)
	mustContain(t, rs, "• blocked the bot or left: 1", "• outcome unknown: mid-send when the bot stopped")
	if rs[0].File == nil || !strings.Contains(string(rs[0].File.Data), "telegram,42,uncertain") {
		t.Errorf("CSV attachment = %+v", rs[0].File)
	}
	mustContain(t, h.send("/delete "+a.ID), "already started sending")
}

func TestLanguageIsRememberedPerAdmin(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send("/lang klingon"), "Choose one of: en, zh-TW, zh-CN, ja")
	mustContain(t, h.send("/lang ja"), "日本語")
	h.restart()
	mustContain(t, h.send("/new"), "配信を作りましょう")
	mustContain(t, h.send(""), "名前は空にできません")
	h.user = "bob"
	mustContain(t, h.send("/help"), "What I can do")
}

func TestQuickCountTimezoneAndHelp(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send("/audience tag:vip"), "👥 8 recipients — LINE 6 · Telegram 0 · Messenger 2")
	mustContain(t, h.send("/audience tag:vip, inactive:30d"), "👥 1 recipient")
	mustContain(t, h.send("/audience vip"), "“vip” isn't a target I understand")
	mustContain(t, h.send("/tz Mars/Olympus"), "Your timezone is Asia/Taipei")
	mustContain(t, h.send("/tz Asia/Tokyo"), "It's now 2026-11-23 10:00 (Asia/Tokyo)")
	mustContain(t, h.send("/frobnicate"), "I don't know /frobnicate")
	mustContain(t, h.send("hello"), "Type /new to make one")
}

func TestCommandsDuringTheWizardKeepIt(t *testing.T) {
	h := newHarness(t)
	h.walkTo(stepText)
	mustContain(t, h.send("/list"), "No broadcasts", "still waiting where you left it")
	mustContain(t, h.send("/new"), "You're already making “Winter sale”")
	h.do(Input{Choice: "wiz:again"}) // the Continue under /list's answer
	h.wantStep(stepText)
}

func TestSendTestWithoutSenderExplains(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	mustContain(t, h.press("sum:test"), "Test sending isn't set up")
	h.wantStep(stepSummary)
}

func choiceIDs(rs []Reply) []string {
	var ids []string
	for _, r := range rs {
		for _, c := range r.Choices {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// Undo-send within the delay keeps what the admin entered: the broadcast
// is a draft again, under the same ID, audited once, with Edit and Delete
// next; confirmed again, it waits the whole delay again.
func TestUndoASendNowWithinTheDelay(t *testing.T) {
	h := newHarness(t)
	h.walkTo("")
	rs := h.press("sum:confirm")
	was := h.stored()
	id := was.ID
	if ids := choiceIDs(rs); !contains(ids, "/undo "+id) {
		t.Fatalf("confirming a send-now offers %v; want Undo (/undo %s)", ids, id)
	}
	h.now = t0.Add(20 * time.Second)
	rs = h.press("/undo " + id)
	mustContain(t, rs, "↩️ Undone: “Winter sale” is back in your drafts. /edit "+id+" to change it, /delete "+id+" to throw it away.")
	if ids := choiceIDs(rs); !slices.Equal(ids, []string{"/edit " + id, "/delete " + id}) {
		t.Errorf("Undo offers %v; want Edit and Delete", ids)
	}
	b := h.stored()
	if b.ID != id || b.Status != herald.StatusDraft || b.Name != was.Name || b.Content.Text != was.Content.Text ||
		!slices.Equal(b.Audience.Channels, was.Audience.Channels) || b.Schedule.Kind != herald.SendNow {
		t.Errorf("after Undo: %s %q %s %q %v; want draft %s with what was entered", b.ID, b.Name, b.Status, b.Content.Text, b.Audience.Channels, id)
	}
	h.press("/undo " + id) // pressed twice
	var undone int
	log, _ := h.store.AuditLog(id, 20)
	for _, e := range log {
		if e.Action == "broadcast.undo" {
			undone++
		}
	}
	if undone != 1 {
		t.Errorf("audited %d undos, want 1: %+v", undone, log)
	}
	mustContain(t, h.send("/log "+id), "undone before it went out (back to draft)")

	h.press("/edit " + id)
	h.wantStep(stepSummary)
	mustContain(t, h.press("sum:confirm"), "goes out to")
	if b := h.stored(); b.Status != herald.StatusScheduled || !b.Schedule.At.Equal(h.now.Add(time.Minute)) {
		t.Errorf("confirmed again: %s at %v; want scheduled a minute from now (%v)", b.Status, b.Schedule.At, h.now.Add(time.Minute))
	}
}

// The Undo answer in every language, with its typed commands.
func TestUndoSaysItIsADraftInEachLanguage(t *testing.T) {
	inEachLang(t, map[string]string{
		"ja":    "↩️ 取り消しました：「Winter sale」は下書きに戻りました。/edit B-",
		"zh-CN": "↩️ 已撤销：“Winter sale”已退回草稿。/edit B-",
		"zh-TW": "↩️ 已復原：「Winter sale」已回到草稿。/edit B-",
	}, func(t *testing.T, h *harness, want string) {
		h.walkTo("")
		h.press("sum:confirm")
		mustContain(t, h.press("/undo "+h.stored().ID), want)
	})
}

func TestStartedBroadcastsCannotBeEditedOrDeleted(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	run := herald.Run{BroadcastID: a.ID, Status: herald.RunSending, StartedAt: t0}
	if err := h.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	mustContain(t, h.send("/edit "+a.ID), "has already started, so it can't be edited. Clone it")
	mustContain(t, h.send("/delete "+a.ID), "can't be deleted. You can cancel it instead")
	if h.step() != "" {
		t.Errorf("a refused /edit opened the wizard at %q", h.step())
	}
}

// An Undo pressed once the broadcast has started sending says so in undo's
// words, not delete's, and offers Cancel to stop the rest.
func TestUndoAfterSendingStartedOffersCancel(t *testing.T) {
	inEachLang(t, map[string]string{
		"en": "has already started sending, so it can no longer be undone. You can cancel it to stop the rest.",
		"ja": "はすでに配信が始まっているため、取り消せません。",
	}, func(t *testing.T, h *harness, want string) {
		a := h.scheduleOne("Alpha")
		run := herald.Run{BroadcastID: a.ID, Status: herald.RunSending, StartedAt: t0}
		if err := h.store.CreateRun(&run); err != nil {
			t.Fatal(err)
		}
		rs := h.press("/undo " + a.ID)
		mustContain(t, rs, a.ID+" "+want)
		for _, r := range rs {
			if strings.Contains(r.Text, "delete") || strings.Contains(r.Text, "削除") {
				t.Errorf("the Undo answer speaks of deleting: %q", r.Text)
			}
		}
		if ids := choiceIDs(rs); !contains(ids, "/cancel "+a.ID) {
			t.Errorf("the answer offers %v; want Cancel", ids)
		}
	})
}

// Canceling a broadcast in the middle of sending cannot be undone, and the
// button sits on every progress card: it asks first, and Keep sending
// leaves it going.
func TestCancelWhileSendingAsksFirst(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	if _, err := h.store.UpdateBroadcast(a.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusSending; return nil }); err != nil {
		t.Fatal(err)
	}
	run := herald.Run{BroadcastID: a.ID, Status: herald.RunSending, StartedAt: t0}
	if err := h.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	status := func() herald.Status { b, _ := h.store.Broadcast(a.ID); return b.Status }

	rs := h.send("/cancel " + a.ID)
	mustContain(t, rs, "is sending right now. Cancel it?")
	if ids := choiceIDs(rs); !contains(ids, "/cancel "+a.ID+" confirm") || !contains(ids, "/cancel "+a.ID+" keep") {
		t.Errorf("the question offers %v; want Confirm and Keep sending", ids)
	}
	if got := status(); got != herald.StatusSending {
		t.Fatalf("asking changed the status to %s", got)
	}
	mustContain(t, h.press("/cancel "+a.ID+" keep"), a.ID+" “Alpha” keeps sending.")
	if got := status(); got != herald.StatusSending {
		t.Fatalf("Keep sending changed the status to %s", got)
	}
	mustContain(t, h.press("/cancel "+a.ID+" confirm"), "Canceled "+a.ID)
	if got := status(); got != herald.StatusCanceled {
		t.Errorf("status %s after Confirm", got)
	}
}

// One recipient is one recipient, in the confirmation a first test
// broadcast to oneself gets.
func TestConfirmationCountsOneRecipient(t *testing.T) {
	h := newHarness(t)
	h.send(`/new "Hi" to groups on telegram now`)
	mustContain(t, h.press("sum:confirm"), "goes out to 1 recipient in 60 seconds")
}

// A broadcast at each person's own time lists its wall time with the
// language's own brackets: no space before （現地時間）.
func TestListSaysTheirTimeTheLanguagesWay(t *testing.T) {
	h := newHarness(t)
	h.send(`/new "Wake up" to tag:vip on line at 2026-11-25 09:00 user-tz`)
	h.press("sum:confirm")
	mustContain(t, h.send("/list"), "2026-11-25 09:00 (their time)")
	h.send("/lang ja")
	mustContain(t, h.send("/list"), "· 2026-11-25 09:00（現地時間）")
}

// /show offers ⚠️ Errors only when a run has someone to list: a button
// that answers "no failed recipients" is a wasted press.
func TestShowOffersErrorsOnlyAfterFailures(t *testing.T) {
	h := newHarness(t)
	a := h.scheduleOne("Alpha")
	run, ds := h.startRun(a.ID)
	ds[0].Outcome = herald.Sent
	if err := h.store.RecordOutcomes(run.ID, ds[:1]); err != nil {
		t.Fatal(err)
	}
	offersErrors := func() bool {
		for _, c := range h.send("/show " + a.ID)[0].Choices {
			if c.ID == "/errors "+a.ID {
				return true
			}
		}
		return false
	}
	if offersErrors() {
		t.Error("/show offers ⚠️ Errors with nobody failed")
	}
	ds[1].Outcome, ds[1].Reason, ds[1].Attempts = herald.Failed, herald.ReasonBlocked, 1
	if err := h.store.RecordOutcomes(run.ID, ds[1:]); err != nil {
		t.Fatal(err)
	}
	if !offersErrors() {
		t.Error("/show does not offer ⚠️ Errors after a failure")
	}
}

// A typo of a command is answered with the command it is near, ready to
// press with what was typed after it.
func TestUnknownCommandSuggestsTheNearOne(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.send("/sequense new"), "I don't know /sequense.", "Did you mean /sequence new?")
	if !h.offered("/sequence new") {
		t.Errorf("no button for /sequence new: %v", h.offeredIDs())
	}
	rs := h.send("/frobnicate")
	mustContain(t, rs, "I don't know /frobnicate.")
	if strings.Contains(joined(rs), "Did you mean") {
		t.Errorf("/frobnicate is near nothing, got:\n%s", joined(rs))
	}
}
