package slack

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
)

func TestSlashCommandRunsTheWizardInAThreadWithButtonsAndACSV(t *testing.T) {
	r := newRig(t)
	r.slash(alice, "new")
	root := r.last("is working with Herald in this thread")
	if root.ThreadTS != "" || !strings.Contains(root.Text, "<@U0ALICE>") {
		t.Fatalf("thread root: %+v", root)
	}
	thread := root.TS
	step1 := r.last("Step 1")
	if step1.ThreadTS != thread {
		t.Fatalf("the wizard is not in the thread: %q vs %q", step1.ThreadTS, thread)
	}
	r.reply(alice, thread, "Winter sale")
	step2 := r.last("Step 2")
	if !strings.Contains(step2.Blocks, `"block_id":"h:U0ALICE:`) {
		t.Fatalf("buttons are not bound to their owner: %s", step2.Blocks)
	}
	r.press(alice, step2, "ch:line")
	step2 = r.message(step2.TS)
	if step2.Updates != 1 || !strings.Contains(step2.Blocks, "✅ LINE") {
		t.Fatalf("the multi-select was not updated in place: updates=%d %s", step2.Updates, step2.Blocks)
	}
	r.press(alice, step2, "done")
	if m := r.message(step2.TS); strings.Contains(m.Blocks, `"type":"actions"`) || !strings.Contains(m.Blocks, "→ ✔️ Done") {
		t.Fatalf("the pressed message does not show the choice: %s", m.Blocks)
	}
	r.press(alice, r.last("Step 3"), "aud:csv")

	path := r.fake.AddFile("F0CSV", "ids.csv", []byte("user_id\nU1\nU3\n"))
	r.ts++
	id := r.fake.PushEvent(map[string]any{"type": "message", "subtype": "file_share", "channel": channel, "channel_type": "channel",
		"user": alice, "text": "", "ts": "1700000200.000001", "thread_ts": thread,
		"files": []map[string]any{{"id": "F0CSV", "name": "ids.csv", "mimetype": "text/csv", "size": 14, "url_private": r.api.URL + path}}})
	r.waitAck(id)
	r.last("Loaded 2 LINE user IDs")

	r.press(alice, r.last("Only the 2 LINE users"), "done")
	r.press(alice, r.last("Step 4"), "ct:text")
	r.reply(alice, thread, "Hello <winter> & friends")
	if m := r.last("Preview:"); !strings.Contains(m.Blocks, `Hello \u0026lt;winter\u0026gt; \u0026amp; friends`) {
		t.Fatalf("text is not escaped for mrkdwn: %s", m.Blocks)
	}
	r.press(alice, r.last("Step 5"), "done")
	r.press(alice, r.last("Step 6"), "tm:now")
	sum := r.last("Summary of")
	if !strings.Contains(sum.Blocks, "2 recipients") || !strings.Contains(sum.Blocks, `"value":"ed:name"`) {
		t.Fatalf("summary lacks counts or Edit buttons: %s", sum.Blocks)
	}
	r.press(alice, sum, "sum:confirm")
	r.last("goes out to 2 recipients")

	bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{})
	if len(bs) != 1 || bs[0].Origin.Frontend != Frontend || bs[0].Origin.ChatID != channel+":"+thread {
		t.Fatalf("broadcast origin: %+v", bs)
	}
	// Every envelope was acknowledged.
	for id, payload := range r.fake.Acks() {
		if payload == nil {
			t.Errorf("envelope %s not acknowledged", id)
		}
	}
}

func TestSlackRefusesOtherUsersAndOtherAdminsButtons(t *testing.T) {
	r := newRig(t)
	r.slash(mallory, "new")
	refusal := r.last("only Herald admins")
	if !refusal.Ephemeral || refusal.User != mallory || !strings.Contains(refusal.Text, "Your Slack member ID is "+mallory+": ask whoever runs Herald to add it to slack.allowed_users") {
		t.Fatalf("refusal: %+v", refusal)
	}
	log, _ := r.store.AuditLog("", 0)
	if len(log) != 1 || log[0].Actor != "slack:U0MALLORY" || log[0].Action != "access.denied" {
		t.Fatalf("audit: %+v", log)
	}

	r.slash(alice, "new")
	thread := r.last("is working with Herald").TS
	r.reply(alice, thread, "Alice sale")
	step2 := r.last("Step 2")
	r.press(bob, step2, "ch:line")
	if m := r.last("another admin's broadcast"); !m.Ephemeral || m.User != bob {
		t.Fatalf("Bob's refusal: %+v", m)
	}
	if m := r.message(step2.TS); m.Updates != 0 {
		t.Fatal("Bob's press changed Alice's wizard")
	}
	r.press(mallory, step2, "ch:line")
	if log, _ := r.store.AuditLog("", 0); len(log) != 2 {
		t.Fatalf("Mallory's press was not audited: %+v", log)
	}
	// Chatter in the channel (not in a Herald thread) is ignored.
	before := len(r.fake.Messages(channel))
	id := r.fake.PushEvent(map[string]any{"type": "message", "channel": channel, "channel_type": "channel", "user": alice,
		"text": "lunch?", "ts": "1700000300.000001"})
	r.waitAck(id)
	if n := len(r.fake.Messages(channel)); n != before {
		t.Fatalf("chatter got a reply")
	}
}

func TestMentionStartsAThreadAndADirectMessageIsItsOwnConversation(t *testing.T) {
	r := newRig(t)
	id := r.fake.PushEvent(map[string]any{"type": "app_mention", "channel": channel, "user": alice,
		"text": "<@U0FAKEBOT> new", "ts": "1700000400.000001"})
	r.waitAck(id)
	step1 := r.last("Step 1")
	if step1.ThreadTS != "1700000400.000001" {
		t.Fatalf("the mention's wizard is not in a thread under it: %+v", step1)
	}
	r.reply(alice, step1.ThreadTS, "Mentioned sale")
	r.last("Step 2")

	id = r.fake.PushEvent(map[string]any{"type": "message", "channel": "D0ALICE", "channel_type": "im", "user": alice,
		"text": "list", "ts": "1700000500.000001"})
	r.waitAck(id)
	r.h.queue.Wait()
	dm := r.fake.Messages("D0ALICE")
	if len(dm) == 0 || dm[len(dm)-1].ThreadTS != "" {
		t.Fatalf("a DM got no answer in the DM itself: %+v", dm)
	}
}

// TestAButtonThatChangesNothingUpdatesInPlace: "👥 Everyone" when the
// audience already is everyone updates the step in place to say nothing
// changed; pressed again, it still posts nothing.
func TestAButtonThatChangesNothingUpdatesInPlace(t *testing.T) {
	r := newRig(t)
	r.toAudience(alice, "Winter sale")
	step4 := r.last("Step 3")
	before := len(r.fake.Messages(channel))
	for range 2 {
		r.press(alice, r.message(step4.TS), "aud:all")
		if msgs := r.fake.Messages(channel); len(msgs) != before {
			t.Fatalf("pressing Everyone again posted %d messages: %q", len(msgs)-before, msgs[len(msgs)-1].Text)
		}
	}
	m := r.message(step4.TS)
	if m.Updates != 2 || !strings.Contains(m.Blocks, "Nothing changed") || !strings.Contains(m.Blocks, `"value":"aud:all"`) {
		t.Fatalf("step 4 was not updated in place to say nothing changed: updates=%d %s", m.Updates, m.Blocks)
	}
}

// The summary shows the message's link as a Slack link, as it shows its
// bold; /help's syntax example of a link stays text.
func TestSummaryShowsTheMessagesLinksWhileHelpShowsTheSyntax(t *testing.T) {
	r := newRig(t)
	r.slash(alice, "help")
	help := r.last("Formatting in messages")
	if !strings.Contains(unJSON(help.Blocks), `&lt;https://example.com|link words&gt;`) {
		t.Errorf("/help's link example is not shown as written: %s", help.Blocks)
	}
	r.slash(alice, `new "Hi *there*, see <https://shop.example/sale|Winter sale> & more" to everyone on line at 2099-12-01 09:00`)
	sum := r.last("Summary of")
	for _, want := range []string{`Hi *there*, see <https://shop.example/sale|Winter sale> &amp; more`} {
		if !strings.Contains(unJSON(sum.Blocks), want) {
			t.Errorf("the summary lacks %q (the message's link as a link, its words escaped): %s", want, sum.Blocks)
		}
	}
	if strings.Contains(unJSON(sum.Blocks), "&lt;https://shop.example/sale|Winter sale&gt;") {
		t.Errorf("the summary shows the message's link as raw markup: %s", sum.Blocks)
	}
}

// unJSON undoes the JSON encoder's escapes of <, > and &.
func unJSON(s string) string {
	return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(s)
}
