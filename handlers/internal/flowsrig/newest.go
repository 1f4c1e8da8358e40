package flowsrig

import (
	"slices"
	"strings"
	"testing"
)

// Newest is the newest of a chat's messages msgs (oldest first) in which
// one of the texts fields names (the text first, then any markup the
// platform sends beside it) contains want. When none does, it fails t
// with every message's text, so the failure shows what the chat says
// instead; where names the chat ("the channel").
func Newest[M any](t testing.TB, msgs []M, want, where string, fields func(M) []string) M {
	t.Helper()
	for _, m := range slices.Backward(msgs) {
		if slices.ContainsFunc(fields(m), func(s string) bool { return strings.Contains(s, want) }) {
			return m
		}
	}
	texts := make([]string, 0, len(msgs))
	for _, m := range msgs {
		texts = append(texts, fields(m)[0])
	}
	t.Fatalf("no message contains %q; %s shows:\n%s", want, where, strings.Join(texts, "\n---\n"))
	var none M
	return none
}
