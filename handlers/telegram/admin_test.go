package telegram

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func TestAdminRunsTheWizardInTheGroupWithButtonsRepliesAndACSV(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(alice, "/new", nil))
	step1 := r.last("Step 1")
	if !strings.Contains(step1.Text, "Reply to this message") || !strings.Contains(step1.ReplyMarkup, `"cancel"`) {
		t.Fatalf("step 1 lacks the reply hint or the Cancel button: %q %s", step1.Text, step1.ReplyMarkup)
	}

	// Chatter in the group is not taken as the name.
	before := len(r.sent())
	r.push(r.message(alice, "lunch anyone?", nil))
	if n := len(r.sent()); n != before {
		t.Fatalf("group chatter got a reply: %q", r.sent()[n-1].Text)
	}

	r.push(r.message(alice, "Winter sale", &step1))
	step2 := r.last("Step 2")
	cq := r.press(alice, step2, "ch:line")
	if a := r.answer(cq); a.Text != "" || a.ShowAlert {
		t.Fatalf("a normal press was answered with %q", a.Text)
	}
	step2 = r.message1(step2.MessageID)
	if step2.Edits != 1 || !strings.Contains(step2.ReplyMarkup, "✅ LINE") {
		t.Fatalf("the multi-select was not edited in place with a check mark: edits=%d %s", step2.Edits, step2.ReplyMarkup)
	}
	r.press(alice, step2, "done")
	if m := r.message1(step2.MessageID); m.ReplyMarkup != "" || !strings.Contains(m.Text, "→ ✔️ Done") {
		t.Fatalf("the pressed message does not show the choice: %q %s", m.Text, m.ReplyMarkup)
	}
	r.press(alice, r.last("Step 3"), "aud:csv")
	r.last("Upload a CSV with one user ID")

	// The CSV is taken without a reply: the wizard waits for a file.
	r.fake.AddFile(token, "csv-1", "ids.csv", []byte("user_id\nU1\nU3\n"))
	up := r.message(alice, "", nil)
	msg := up["message"].(map[string]any)
	delete(msg, "text")
	msg["document"] = map[string]any{"file_id": "csv-1", "file_unique_id": "u-csv-1", "file_name": "ids.csv", "mime_type": "text/csv", "file_size": 14}
	r.push(up)
	r.last("Loaded 2 LINE user IDs")

	r.press(alice, r.last("Only the 2 LINE users"), "done")
	r.press(alice, r.last("Step 4"), "ct:text")
	r.push(r.message(alice, "Hello winter", ptr(r.last("Type the message"))))
	r.last("Preview: Hello winter")
	r.press(alice, r.last("Step 5"), "done")
	r.press(alice, r.last("Step 6"), "tm:now")
	sum := r.last("Summary of “Winter sale”")
	if !strings.Contains(sum.Text, "2 recipients") || !strings.Contains(sum.ReplyMarkup, "sum:confirm") {
		t.Fatalf("summary: %q %s", sum.Text, sum.ReplyMarkup)
	}
	r.press(alice, sum, "sum:confirm")
	r.last("goes out to 2 recipients")

	bs, err := r.store.ListBroadcasts(herald.BroadcastQuery{})
	if err != nil || len(bs) != 1 {
		t.Fatalf("broadcasts: %v %v", bs, err)
	}
	b := bs[0]
	if b.Name != "Winter sale" || b.Origin.Frontend != Frontend || b.Origin.ChatID != "-1001234" || b.Origin.UserID != "11" || len(b.Audience.Selected) != 2 {
		t.Fatalf("saved broadcast: %+v", b)
	}
}

func TestTwoAdminsRunWizardsInOneGroupWithoutCrossing(t *testing.T) {
	r := newAdminRig(t)
	// Both start at once: their updates are handled concurrently.
	for _, u := range []int64{alice, bob} {
		if _, err := r.fake.PushUpdate(token, r.message(u, "/new@herald_test_123456_bot", nil)); err != nil {
			t.Fatal(err)
		}
	}
	r.settle()
	var prompts []int
	for _, m := range r.sent() {
		if strings.Contains(m.Text, "Step 1") {
			prompts = append(prompts, m.MessageID)
		}
	}
	if len(prompts) != 2 {
		t.Fatalf("want one Step 1 per admin, got %d", len(prompts))
	}
	// Each names their broadcast by replying to a Step 1 prompt (either
	// one: the session is the replier's own).
	p0, p1 := r.message1(prompts[0]), r.message1(prompts[1])
	r.push(r.message(alice, "Alice sale", &p0))
	aliceStep2 := r.last("Step 2")
	r.push(r.message(bob, "Bob sale", &p1))
	bobStep2 := r.last("Step 2")
	if aliceStep2.MessageID == bobStep2.MessageID {
		t.Fatal("both admins got the same Step 2 message")
	}

	// Bob presses Alice's button: refused politely, nothing changes.
	cq := r.press(bob, aliceStep2, "ch:line")
	if a := r.answer(cq); !strings.Contains(a.Text, "another admin's broadcast") || !a.ShowAlert {
		t.Fatalf("a press on someone else's wizard was answered with %q", a.Text)
	}
	if m := r.message1(aliceStep2.MessageID); m.Edits != 0 {
		t.Fatal("Bob's press changed Alice's wizard")
	}
	r.press(alice, aliceStep2, "ch:line")
	r.press(bob, bobStep2, "cancel")
	if m := r.message1(aliceStep2.MessageID); !strings.Contains(m.ReplyMarkup, "✅ LINE") {
		t.Fatalf("Alice's choice got lost: %s", m.ReplyMarkup)
	}
	r.press(alice, r.message1(aliceStep2.MessageID), "done")
	r.last("Step 3") // no group chat is stored: people it is
}

func TestNonAdminIsRefusedAndAuditedAndChatterIgnored(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(mallory, "good morning all", nil))
	if n := len(r.sent()); n != 0 {
		t.Fatalf("chatter got %d replies", n)
	}
	r.push(r.message(mallory, "/new", nil))
	refusal := r.last("only Herald admins")
	if !strings.Contains(refusal.Text, "Mallory") || !strings.Contains(refusal.Text, "Your Telegram ID is 13: ask for it to be added to telegram.admin_user_ids") {
		t.Fatalf("refusal does not say how to fix it: %q", refusal.Text)
	}
	log, _ := r.store.AuditLog("", 0)
	if len(log) != 1 || log[0].Action != "access.denied" || log[0].Actor != "telegram:13" || log[0].Detail != "/new" {
		t.Fatalf("audit log: %+v", log)
	}
	if bs, _ := r.store.ListBroadcasts(herald.BroadcastQuery{}); len(bs) != 0 {
		t.Fatal("a non-admin changed state")
	}
	// A non-admin's press on a progress button is refused the same way.
	r.push(r.message(alice, "/help", nil))
	help := r.last("/")
	if help.ReplyMarkup == "" {
		t.Skip("help has no buttons to press")
	}
	var data string
	for _, d := range []string{"/new", "/list"} {
		if strings.Contains(help.ReplyMarkup, `"`+d+`"`) {
			data = d
		}
	}
	cq := r.press(mallory, help, data)
	if a := r.answer(cq); !strings.Contains(a.Text, "only Herald admins") {
		t.Fatalf("press by a non-admin answered %q", a.Text)
	}
	if log, _ := r.store.AuditLog("", 0); len(log) != 2 {
		t.Fatalf("the refused press was not audited: %+v", log)
	}
}

func TestAdminCommandsAreRegisteredInEveryLanguage(t *testing.T) {
	r := newAdminRig(t)
	if err := r.a.SetCommands(context.Background()); err != nil {
		t.Fatal(err)
	}
	scope := "chat:-1001234"
	want := map[string]string{"": "Create a broadcast step by step", "en": "Create a broadcast step by step", "ja": "配信を順に作成", "zh": "逐步建立推播"}
	for lang, desc := range want {
		cmds := r.fake.Commands(token, scope, lang)
		if len(cmds) != 19 || cmds[0].Command != "new" || cmds[0].Description != desc {
			t.Errorf("commands for %q: %+v", lang, cmds)
		}
	}
	if cmds := r.fake.Commands(token, "default", ""); len(cmds) != 0 {
		t.Errorf("end users' default menu was changed: %+v", cmds)
	}
}

func TestListedAdminUsesHeraldInAPrivateChat(t *testing.T) {
	const owner int64 = 42
	r := newAdminRig(t, owner)
	r.msgID++
	r.push(map[string]any{"message": map[string]any{"message_id": r.msgID, "date": time.Now().Unix(),
		"chat": map[string]any{"id": owner, "type": "private", "first_name": "Olivia"},
		"from": map[string]any{"id": owner, "is_bot": false, "first_name": "Olivia"}, "text": "/new"}})
	msgs := r.fake.Sent(owner)
	if len(msgs) == 0 || !strings.Contains(msgs[len(msgs)-1].Text, "Step 1") || strings.Contains(msgs[len(msgs)-1].Text, "Reply to this message") {
		t.Fatalf("private chat of a listed admin: %+v", msgs)
	}
}

func ptr[T any](v T) *T { return &v }

// TestAButtonThatChangesNothingEditsInPlace: "👥 Everyone" when the
// audience already is everyone edits the step in place to say nothing
// changed, and a second press (Telegram: "message is not modified") posts
// nothing either.
func TestAButtonThatChangesNothingEditsInPlace(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(alice, "/new", nil))
	r.push(r.message(alice, "Winter sale", ptr(r.last("Step 1"))))
	r.press(alice, r.last("Step 2"), "ch:line")
	r.press(alice, r.last("Step 2"), "done")
	step4 := r.last("Step 3")
	before := len(r.sent())
	for range 2 {
		r.press(alice, r.message1(step4.MessageID), "aud:all")
		if n := len(r.sent()); n != before {
			t.Fatalf("pressing Everyone again posted %d messages: %q", n-before, r.sent()[n-1].Text)
		}
	}
	m := r.message1(step4.MessageID)
	if m.Edits != 1 || !strings.Contains(m.Text, "Nothing changed") || !strings.Contains(m.ReplyMarkup, "aud:all") {
		t.Fatalf("step 4 was not edited in place to say nothing changed: edits=%d %q %s", m.Edits, m.Text, m.ReplyMarkup)
	}
	r.press(alice, m, "done") // the wizard goes on from the edited message
	r.last("Step 4")
}

// Where a reply quotes the message (the summary), Telegram shows its
// formatting, its link a link; /help's syntax examples stay as written.
func TestAdminShowsTheMessagesFormattingAndHelpAsWritten(t *testing.T) {
	r := newAdminRig(t)
	r.push(r.message(alice, "/help", nil))
	if help := r.last("Formatting in messages"); !strings.Contains(help.Text, "*bold*, _italic_") ||
		!strings.Contains(help.Text, "<https://example.com|link words>") || len(help.Entities) != 0 {
		t.Errorf("/help's syntax examples are not shown as written: %q %+v", help.Text, help.Entities)
	}
	r.push(r.message(alice, `/new "Hi *there*, see <https://shop.example/sale|Winter sale> & more" to everyone on line at 2099-12-01 09:00`, nil))
	sum := r.last("Summary of")
	if !strings.Contains(sum.Text, "\n  Hi there, see Winter sale & more\n") {
		t.Errorf("the summary quotes the message as %q, want its words formatted", sum.Text)
	}
	var bold, link bool
	for _, e := range sum.Entities {
		bold = bold || e.Type == "bold"
		link = link || e.Type == "text_link" && e.URL == "https://shop.example/sale"
	}
	if !bold || !link {
		t.Errorf("the summary's entities %+v, want the message's bold and its link", sum.Entities)
	}
}

// Telegram counts entity offsets in UTF-16 units: after an emoji (two
// units) and CJK text (one unit, three bytes) the spans must land on the
// same words in Go's bytes.
func TestEntitiesBecomeSpansOnTheSameWords(t *testing.T) {
	text := "🎉 セール *now* <b> at shop"
	entities := []models.MessageEntity{
		{Type: models.MessageEntityTypeBold, Offset: 3, Length: 3},                                   // セール
		{Type: models.MessageEntityTypeItalic, Offset: 7, Length: 5},                                 // *now*
		{Type: models.MessageEntityTypeTextLink, Offset: 20, Length: 4, URL: "https://shop.example"}, // shop
		{Type: models.MessageEntityTypeMention, Offset: 0, Length: 2},
		{Type: models.MessageEntityTypeCode, Offset: 13, Length: 3}, // <b>
	}
	got := spans(text, entities)
	if md := herald.Markup(text, got); md != "🎉 *セール* _*now*_ `<b>` at <https://shop.example|shop>" {
		t.Errorf("spans %v read as %q", got, md)
	}
	want := []herald.Span{{Start: 5, End: 14, Style: herald.Bold}, {Start: 15, End: 20, Style: herald.Italic},
		{Start: 28, End: 32, Style: herald.Link, URL: "https://shop.example"}, {Start: 21, End: 24, Style: herald.Code}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
}

// In a group an admin may address Herald by name: the mention is cut out
// of the text and the formatting stays on its words.
func TestMentionIsCutAndFormattingStays(t *testing.T) {
	text := "@herald_bot Sale ends @herald_bot today"
	sp := []herald.Span{{Start: 12, End: 16, Style: herald.Bold}, {Start: 22, End: 39, Style: herald.Italic}}
	got, gotSpans := herald.TrimFormatted(withoutMention(text, sp, "@herald_bot"))
	if md := herald.Markup(got, gotSpans); md != "*Sale* ends _ today_" {
		t.Errorf("without the mention: %q", md)
	}
}
