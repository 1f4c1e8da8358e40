package flows

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

var shownCode = regexp.MustCompile(`\n([2-9A-Z]{3}-[2-9A-Z]{3})\n`)

// codeFrom types /testme and returns the code it shows.
func (h *harness) codeFrom() string {
	h.t.Helper()
	rs := h.send("/testme")
	m := shownCode.FindStringSubmatch(joined(rs))
	if m == nil {
		h.t.Fatalf("/testme shows no code:\n%s", joined(rs))
	}
	return m[1]
}

// A /testme code makes the account that sends it the admin's test
// recipient on that platform: once, within ten minutes, however it is
// typed; a later code replaces that platform's recipient, not the others.
func TestTestMeCode(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	lineKey := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
	tgKey := herald.SubscriberKey{Platform: herald.Telegram, ID: "42"}

	code := h.codeFrom()
	if _, ok, _ := h.eng.AnswerDirect(ctx, lineKey, "", "hello"); ok {
		t.Error("an ordinary message was taken for a code")
	}
	typed := " " + code[:2] + " " + code[2:] + " " // lower case below, spaces, the dash moved
	reply, ok, err := h.eng.AnswerDirect(ctx, lineKey, "", strings.ToLower(typed))
	if err != nil || !ok {
		t.Fatalf("the code as typed %q was not recognised: %v", typed, err)
	}
	if want := "✅ This LINE account (U1) now gets your Herald tests. In the admin chat, /testme lists your test recipients."; reply != want {
		t.Errorf("reply %q, want %q", reply, want)
	}
	if _, ok, _ := h.eng.AnswerDirect(ctx, lineKey, "", code); !ok {
		t.Error("a redelivered webhook with the same code from the same account was not answered the same")
	}
	if _, ok, _ := h.eng.AnswerDirect(ctx, herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}, "", code); ok {
		t.Error("a second account could use the same code")
	}

	code = h.codeFrom()
	h.advance(testCodeTTL + time.Second)
	if _, ok, _ := h.eng.AnswerDirect(ctx, tgKey, "", code); ok {
		t.Error("an expired code still works")
	}
	code = h.codeFrom()
	if _, ok, _ := h.eng.AnswerDirect(ctx, tgKey, "", code); !ok {
		t.Fatal("a fresh code did not work")
	}
	mustContain(t, h.send("/testme"), "LINE: U1", "Telegram: 42", "Messenger: none yet")
	mustContain(t, h.send("/testme remove line"), "Removed your LINE test recipient.")
	mustContain(t, h.send("/testme"), "LINE: none yet", "Telegram: 42")
	mustContain(t, h.send("/testme remove line"), "You had no test recipient there.")
	mustContain(t, h.send("/testme telegram:7 line:U9"), "OK, tests go to 2 recipients.")
	mustContain(t, h.send("/testme"), "LINE: U9", "Telegram: 7")
}

// /whoami tells an end user their ID on that platform, in their language,
// and an admin how Herald knows them.
func TestWhoAmI(t *testing.T) {
	h := newHarness(t)
	reply, ok, err := h.eng.AnswerDirect(context.Background(), herald.SubscriberKey{Platform: herald.LINE, ID: "Uabc"}, "ja", " /WhoAmI ")
	if err != nil || !ok {
		t.Fatalf("/whoami not answered: %v", err)
	}
	if want := "あなたの LINE の ID は Uabc です。（Herald の管理者向け：/testme line:Uabc でこのアカウントをテスト送信先にできます。）"; reply != want {
		t.Errorf("reply %q, want %q", reply, want)
	}
	mustContain(t, h.send("/whoami"), "You are alice on console (Herald knows you as console:alice); this chat's ID is chat.")
	mustContain(t, h.send("/chatid"), "this chat's ID is chat.")
}
