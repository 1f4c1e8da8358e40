package slack

import (
	"strings"
	"testing"
)

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
