package slack

import (
	"strings"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// In Slack, a platform with two accounts is offered account by account:
// a press toggles "LINE · Shop" in place, typing "line:shop" in the thread
// toggles it as typing a label does, and the next step counts it.
func TestSlackPicksAnAccount(t *testing.T) {
	r := newRigWith(t, func(c *flows.Config) {
		c.Accounts = []flows.Account{{Account: herald.Account{Platform: herald.LINE}, Name: "main"},
			{Account: herald.Account{Platform: herald.LINE, Name: "shop"}, Name: "shop"}, {Account: herald.Account{Platform: herald.Telegram}, Name: "main"}}
	})
	r.slash(alice, "new")
	thread := r.last("is working with Herald in this thread").TS
	r.reply(alice, thread, "Shop sale")
	step2 := r.last("Step 2")
	for _, want := range []string{`"value":"acc:line"`, `"value":"acc:line:shop"`, "LINE · Shop", `"value":"ch:telegram"`} {
		if !strings.Contains(step2.Blocks, want) {
			t.Errorf("step 2 lacks %s: %s", want, step2.Blocks)
		}
	}
	r.press(alice, step2, "acc:line:shop")
	if m := r.message(step2.TS); m.Updates != 1 || !strings.Contains(m.Blocks, "✅ LINE · Shop") {
		t.Fatalf("LINE · Shop is not checked in place: updates=%d %s", m.Updates, m.Blocks)
	}
	r.press(alice, step2, "acc:line:shop")
	r.reply(alice, thread, "line:shop")
	again := r.last("Step 2")
	if !strings.Contains(again.Blocks, "✅ LINE · Shop") {
		t.Fatalf("typing line:shop did not check LINE · Shop: %s", again.Blocks)
	}
	r.press(alice, again, "done")
	if step3 := r.last("Step 3"); !strings.Contains(step3.Blocks+step3.Text, "LINE · Shop 0") {
		t.Errorf("step 3 does not count LINE · Shop: %s %s", step3.Text, step3.Blocks)
	}
}
