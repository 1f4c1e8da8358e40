package flows

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
)

// listPage is how many broadcasts /list shows at once.
const listPage = 8

// listFilters are the words /list accepts.
var listFilters = map[string][]herald.Status{
	"drafts": {herald.StatusDraft}, "draft": {herald.StatusDraft},
	"pending": {herald.StatusPending}, "scheduled": {herald.StatusScheduled},
	"sending": {herald.StatusSending}, "paused": {herald.StatusPaused},
	"completed": {herald.StatusCompleted}, "done": {herald.StatusCompleted},
	"canceled": {herald.StatusCanceled}, "cancelled": {herald.StatusCanceled},
	"failed": {herald.StatusFailed}, "all": nil,
}

// emptyStatusKeys say in a sentence that a status has no broadcasts
// ("No failed broadcasts."), for every status /list filters by, where
// "Broadcasts: failed: none" would read as a form.
var emptyStatusKeys = map[herald.Status]string{
	herald.StatusDraft: "list.empty_draft", herald.StatusPending: "list.empty_pending",
	herald.StatusScheduled: "list.empty_scheduled", herald.StatusSending: "list.empty_sending",
	herald.StatusPaused: "list.empty_paused", herald.StatusCompleted: "list.empty_completed",
	herald.StatusCanceled: "list.empty_canceled", herald.StatusFailed: "list.empty_failed",
}

func (t *turn) list(args string) error {
	f := strings.Fields(strings.ToLower(args))
	filter, page := "all", 1
	var kind *listKind
	for _, w := range f {
		if n, err := strconv.Atoi(w); err == nil && n > 0 {
			page = n
			continue
		}
		if k, ok := kindOf(w); ok {
			kind = &k
			continue
		}
		if _, ok := listFilters[w]; !ok {
			t.say(t.T("err.list_filter", "Word", w))
			return nil
		}
		filter = w
	}
	q := herald.BroadcastQuery{Statuses: listFilters[filter], Offset: (page - 1) * listPage, Limit: listPage + 1}
	whole := kind != nil || t.restricted()
	if whole {
		q.Offset, q.Limit = 0, 0 // a kind, or the accounts, are read from each broadcast
	}
	bs, err := t.e.cfg.Store.ListBroadcasts(q)
	if err != nil {
		return fmt.Errorf("flows: list: %w", err)
	}
	var labels []string
	if filter != "all" {
		labels = append(labels, StatusName(t.loc, listFilters[filter][0]))
	}
	words := filter
	if kind != nil {
		bs = slices.DeleteFunc(bs, func(b herald.Broadcast) bool { return !kind.is(t, &b) })
		labels = append(labels, t.T(kind.label))
		words += " " + kind.word
	}
	if t.restricted() { // only broadcasts to accounts they may use
		bs = slices.DeleteFunc(bs, func(b herald.Broadcast) bool { _, bad := t.deniedAccount(&b.Audience); return bad })
	}
	if whole {
		bs = bs[min(len(bs), (page-1)*listPage):]
	}
	switch {
	case len(bs) == 0 && page > 1: // past the last page: the list itself has some
		t.say(t.T("list.past_end", "Page", page), t.choice(strings.TrimSpace("/list "+strings.TrimPrefix(words, "all")), t.T("btn.list")))
		return nil
	case len(bs) == 0 && len(labels) > 0: // none of this kind or status, not none at all
		text := t.T("list.empty_filtered", "Filter", t.joinList(labels))
		switch { // a status or a kind alone (the list has some): its own sentence
		case kind == nil:
			text = t.T(emptyStatusKeys[listFilters[filter][0]])
		case filter == "all":
			text = t.T(kind.empty)
		}
		t.say(text, append([]Choice{t.choice("/list", t.T("btn.list"))}, t.kindChoices(kind)...)...)
		return nil
	case len(bs) == 0:
		t.say(t.T("list.empty"), append([]Choice{t.choice("/new", t.T("btn.new"))}, t.kindChoices(kind)...)...)
		return nil
	}
	more := len(bs) > listPage
	bs = bs[:min(len(bs), listPage)]
	var b strings.Builder
	title := t.T("list.title", "Page", page)
	if len(labels) > 0 {
		title = t.T("list.title_filtered", "Page", page, "Filter", t.joinList(labels))
	}
	b.WriteString(title + "\n")
	var cs []Choice
	for _, x := range bs {
		b.WriteString(t.listLine(&x) + "\n")
		cs = append(cs, t.choice("/show "+x.ID, x.ID))
	}
	if more {
		cs = append(cs, t.choice(fmt.Sprintf("/list %s %d", words, page+1), t.T("btn.next_page")))
	}
	t.say(strings.TrimRight(b.String(), "\n"), append(cs, t.kindChoices(kind)...)...)
	return nil
}

func (t *turn) listLine(x *herald.Broadcast) string {
	return fmt.Sprintf("%s · %s · %s · %s", x.ID, x.Name, StatusName(t.loc, x.Status), t.shortSchedule(&x.Schedule))
}

func (t *turn) shortSchedule(s *herald.Schedule) string {
	switch s.Kind {
	case herald.SendNow, herald.SendAt:
		return t.when(s.At)
	case herald.SendUserLocal:
		return t.T("schedule.user_short", "When", s.Local)
	case herald.SendRecurring:
		return t.cronWords(s.Cron)
	}
	return "—"
}
