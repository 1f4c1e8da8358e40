package flows

import (
	"strings"
	"testing"
)

// TestListEmptyKindIsASentence: a kind filter with nothing in it says so
// in a sentence in the admin's language, as a status filter does, and a
// kind with a status says what matched nothing; neither reads as a form
// ("📋 …: none").
func TestListEmptyKindIsASentence(t *testing.T) {
	words := []string{"recurring", "api", "approve", "scheduled recurring"}
	inEachLang(t, map[string][]string{ // a sentence for each of words, in order
		"en":    {"No recurring broadcasts.", "No broadcasts were made through the API.", "Nothing is waiting for your approval.", "No broadcasts match: scheduled, 🔁 Recurring."},
		"ja":    {"定期配信はありません。", "API で作成された配信はありません。", "あなたの承認を待っている配信はありません。", "🔁 定期」に当てはまる配信はありません。"},
		"zh-CN": {"没有定期群发。", "没有通过 API 创建的群发。", "没有等你审批的群发。", "🔁 定期”的群发。/list 可显示全部。"},
		"zh-TW": {"沒有定期推播。", "沒有透過 API 建立的推播。", "沒有等你核准的推播。", "🔁 定期」的推播。/list 可顯示全部。"},
	}, func(t *testing.T, h *harness, want []string) {
		h.scheduleOne("Alpha") // a one-off: the list has one, none of these kinds
		for i, w := range words {
			listSaysNone(t, h, w, want[i])
		}
	})
}

// listSaysNone checks that "/list words" says there are none in the
// sentence want, not as a form ("📋 …: none"), and offers the whole list.
func listSaysNone(t *testing.T, h *harness, words, want string) {
	t.Helper()
	rs := h.send("/list " + words)
	mustContain(t, rs, want)
	if got := joined(rs); strings.Contains(got, "📋") {
		t.Errorf("/list %s still reads as a form:\n%s", words, got)
	}
	if ids := choiceIDs(rs); !contains(ids, "/list") {
		t.Errorf("/list %s offers %v; want the whole list", words, ids)
	}
}
