package api

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
	"github.com/heraldbot/herald/dispatch/line/linetest"
)

func draft(name string) map[string]any {
	return map[string]any{"name": name, "audience": map[string]any{"channels": []string{"line"}},
		"content": map[string]any{"kind": "text", "text": "Hello {name|there}"}}
}

func scheduled(name string, at time.Time) map[string]any {
	b := draft(name)
	b["status"] = "scheduled"
	b["audience"] = map[string]any{"channels": []string{"line", "messenger"}, "include_tags": []string{"VIP"}}
	b["category"] = "marketing"
	b["schedule"] = map[string]any{"kind": "at", "at": at.Format(time.RFC3339)}
	b["content"] = map[string]any{"kind": "text", "text": "Sale!", "buttons": []map[string]any{
		{"label": "Interested", "kind": "action", "add_tags": []string{"sale"}},
		{"label": "Site", "kind": "url", "url": "https://example.org"}}}
	return b
}

func TestCreateListAndGetBroadcasts(t *testing.T) {
	r := vipRig(t, Options{})
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, draft("Autumn draft"))
	a.want(t, 201, "draft")
	if a.body["status"] != "draft" || a.body["external"] != true || a.body["created_by"] != "api:ci" {
		t.Errorf("draft = %s", a.raw)
	}
	origin, _ := a.body["origin"].(map[string]any)
	if origin["frontend"] != "api" || origin["user_name"] != "ci" {
		t.Errorf("origin = %v, want frontend api by ci", origin)
	}
	s := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Autumn sale", now.Add(48*time.Hour)))
	s.want(t, 201, "scheduled")
	id := s.body["id"].(string)
	content, _ := s.body["content"].(map[string]any)
	buttons, _ := content["buttons"].([]any)
	if len(buttons) != 2 || buttons[0].(map[string]any)["id"] != "b1" {
		t.Errorf("buttons were not given IDs: %v", content["buttons"])
	}

	l := r.call(t, "GET", "/api/v1/broadcasts?status=scheduled", goodToken, nil)
	l.want(t, 200, "list")
	list, _ := l.body["broadcasts"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != id {
		t.Errorf("list of scheduled = %s", l.raw)
	}
	if l := r.call(t, "GET", "/api/v1/broadcasts?status=draft,scheduled&limit=1", goodToken, nil); l.body["next_offset"] != float64(1) {
		t.Errorf("paged list = %s, want next_offset 1", l.raw)
	}

	// One run with tallies on two platforms, a failure, and taps.
	addRun(t, r, id, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Sent},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U2"}, Outcome: herald.Sent},
		{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U3"}, Outcome: herald.Sent},
		{Seq: 4, Recipient: herald.SubscriberKey{Platform: herald.Messenger, ID: "P4"}, Outcome: herald.Failed,
			Reason: herald.ReasonOutsideWindow, Attempts: 1, At: now},
		{Seq: 5, Recipient: herald.SubscriberKey{Platform: herald.Messenger, ID: "P5"}, Outcome: herald.Sent},
	})
	_ = r.store.RecordTaps([]herald.Tap{{BroadcastID: id, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}},
		{BroadcastID: id, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}}})
	g := r.call(t, "GET", "/api/v1/broadcasts/"+strings.ToLower(strings.TrimPrefix(id, "B-")), goodToken, nil)
	g.want(t, 200, "get by the short form people type")
	totals, _ := g.body["totals"].(map[string]any)
	if totals["sent"] != float64(4) || totals["failed"] != float64(1) {
		t.Errorf("totals = %v, want 4 sent 1 failed", totals)
	}
	if runs, _ := g.body["runs"].([]any); len(runs) != 1 || runs[0].(map[string]any)["by_account"] != nil {
		t.Errorf("runs = %v, want one without by_account (it reached no named account)", g.body["runs"])
	}
	taps, _ := g.body["taps"].([]any)
	if len(taps) != 1 || taps[0].(map[string]any)["taps"] != float64(2) || taps[0].(map[string]any)["unique"] != float64(1) {
		t.Errorf("taps = %v, want b1 with 2 taps by 1 person (URL buttons are not listed)", g.body["taps"])
	}

	req, _ := http.NewRequest("GET", r.srv.URL+"/api/v1/broadcasts/"+id+"/failures.csv", nil)
	req.Header.Set("Authorization", "Bearer "+goodToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("failures CSV: %v %s", err, resp.Header.Get("Content-Type"))
	}
	if len(rows) != 2 || rows[1][2] != "P4" || rows[1][3] != herald.ReasonOutsideWindow {
		t.Errorf("failures CSV = %v", rows)
	}
}

func TestCreateBroadcastValidation(t *testing.T) {
	r := vipRig(t, Options{})
	r.call(t, "POST", "/api/v1/broadcasts", goodToken, draft("Taken")).want(t, 201, "first")
	noText := scheduled("No text", now.Add(time.Hour))
	noText["content"] = map[string]any{"kind": "text"}
	tooManyButtons := scheduled("Buttons", now.Add(time.Hour))
	tooManyButtons["content"] = map[string]any{"kind": "text", "text": "x", "buttons": []map[string]any{
		{"label": "1", "kind": "action"}, {"label": "2", "kind": "action"}, {"label": "3", "kind": "action"}, {"label": "4", "kind": "action"}}}
	dupButton := draft("Dup")
	dupButton["content"] = map[string]any{"kind": "text", "text": "x", "buttons": []map[string]any{
		{"id": "a", "label": "1", "kind": "action"}, {"id": "a", "label": "2", "kind": "action"}}}
	// Named flows (a button's "flow") were never real and are gone: a
	// client that still sends one is told, not silently ignored.
	flowButton := draft("Flow")
	flowButton["content"] = map[string]any{"kind": "text", "text": "x", "buttons": []map[string]any{
		{"label": "Join", "kind": "action", "flow": "signup"}}}
	noCategory := scheduled("No category", now.Add(time.Hour))
	delete(noCategory, "category")
	badPeriod := draft("Period")
	badPeriod["audience"] = map[string]any{"channels": []string{"line"}, "activity": map[string]any{"op": "within", "period": "soon"}}
	for _, tc := range []struct {
		name        string
		body        any
		status      int
		code, field string
	}{
		{"no name", draft(" "), 422, "required", "name"},
		{"name taken", draft("Taken"), 409, "conflict", "name"},
		{"bad status", map[string]any{"name": "x", "status": "sending"}, 422, "invalid", "status"},
		{"scheduled without text", noText, 422, "required", "content.text"},
		{"in the past", scheduled("Past", now.Add(-time.Minute)), 422, "in_past", "schedule.at"},
		{"4 buttons on Messenger", tooManyButtons, 422, "too_many", "content.buttons"},
		{"duplicate button IDs", dupButton, 422, "invalid", "content.buttons.id"},
		{"a button's named flow", flowButton, 400, "unknown_field", "flow"},
		{"Messenger needs a category", noCategory, 422, "required", "category"},
		{"bad period", badPeriod, 422, "invalid", "audience.activity.period"},
		{"quiet hours unreadable", withQuiet(draft("Q1"), map[string]any{"start": "10pm", "end": "07:00"}), 422, "invalid", "schedule.quiet"},
		{"quiet hours that never start", withQuiet(draft("Q2"), map[string]any{"start": "08:00", "end": "08:00"}), 422, "empty_span", "schedule.quiet"},
		{"quiet hours both off and set", withQuiet(draft("Q3"), map[string]any{"off": true, "start": "22:00", "end": "07:00"}), 422, "invalid", "schedule.quiet"},
	} {
		r.call(t, "POST", "/api/v1/broadcasts", goodToken, tc.body).wantError(t, tc.status, tc.code, tc.field, tc.name)
	}
	r.call(t, "GET", "/api/v1/broadcasts?status=nope", goodToken, nil).wantError(t, 422, "invalid", "status", "list filter")
	r.call(t, "GET", "/api/v1/broadcasts?limit=0", goodToken, nil).wantError(t, 422, "invalid", "limit", "limit 0")
	r.call(t, "GET", "/api/v1/broadcasts/B-ZZZZ", goodToken, nil).wantError(t, 404, "not_found", "", "unknown ID")
	r.call(t, "POST", "/api/v1/audience/count", goodToken, map[string]any{"audience": map[string]any{}}).
		wantError(t, 422, "required", "audience.channels", "count without channels")
}

func TestPauseResumeCancelWithoutDispatcher(t *testing.T) {
	r := vipRig(t, Options{})
	id := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("S", now.Add(time.Hour))).body["id"].(string)
	base := "/api/v1/broadcasts/" + id
	if a := r.call(t, "POST", base+"/pause", goodToken, nil); a.body["status"] != "paused" {
		t.Errorf("pause: %s", a.raw)
	}
	if a := r.call(t, "POST", base+"/resume", goodToken, nil); a.body["status"] != "scheduled" {
		t.Errorf("resume: %s", a.raw)
	}
	r.call(t, "POST", base+"/resume", goodToken, nil).wantError(t, 409, "invalid_transition", "status", "resume a scheduled one")
	if a := r.call(t, "POST", base+"/cancel", goodToken, nil); a.body["status"] != "canceled" {
		t.Errorf("cancel: %s", a.raw)
	}
	r.call(t, "POST", base+"/pause", goodToken, nil).wantError(t, 409, "invalid_transition", "status", "pause a canceled one")

}

// TestScheduleRulesAreTheChats: the API refuses, with 422 and the field,
// what an admin's confirm refuses: a time sooner than the least lead time,
// a cron the scheduler cannot read, a recurrence whose end has passed.
func TestScheduleRulesAreTheChats(t *testing.T) {
	r := vipRig(t, Options{})
	recurring := func(name, cron, until string) map[string]any {
		b := scheduled(name, now.Add(time.Hour))
		sch := map[string]any{"kind": "recurring", "cron": cron}
		if until != "" {
			sch["until"] = until
		}
		b["schedule"] = sch
		return b
	}
	for _, tc := range []struct {
		name        string
		body        map[string]any
		code, field string
	}{
		{"20 s ahead, lead time 5 min", scheduled("Soon", now.Add(20*time.Second)), "too_soon", "schedule.at"},
		{"every blue moon", recurring("Moon", "every blue moon", ""), "invalid", "schedule.cron"},
		{"ended before it starts", recurring("Ended", "0 17 * * 5", "2026-01-01T00:00:00Z"), "in_past", "schedule.until"},
	} {
		r.call(t, "POST", "/api/v1/broadcasts", goodToken, tc.body).wantError(t, 422, tc.code, tc.field, tc.name)
	}
	if list, _ := r.store.ListBroadcasts(herald.BroadcastQuery{}); len(list) != 0 {
		t.Errorf("refused broadcasts were stored: %d", len(list))
	}
	r.call(t, "POST", "/api/v1/broadcasts", goodToken, recurring("Fridays", "0 17 * * 5", "2027-06-30T00:00:00Z")).want(t, 201, "a recurrence with its end ahead")
}

// addRun stores a finished run of broadcast id the way dispatch does:
// snapshot as pending, then final outcomes.
func addRun(t *testing.T, r *rig, id string, ds []herald.Delivery) {
	t.Helper()
	run := herald.Run{BroadcastID: id, Status: herald.RunSending}
	if err := r.store.CreateRun(&run); err != nil {
		t.Fatal(err)
	}
	pending := make([]herald.Delivery, len(ds))
	for i, d := range ds {
		pending[i] = herald.Delivery{Seq: d.Seq, Recipient: d.Recipient, Outcome: herald.Pending}
	}
	if err := r.store.AddDeliveries(run.ID, pending); err != nil {
		t.Fatal(err)
	}
	if err := r.store.RecordOutcomes(run.ID, ds); err != nil {
		t.Fatal(err)
	}
}

func withQuiet(b map[string]any, quiet map[string]any) map[string]any {
	b["schedule"] = map[string]any{"kind": "now", "quiet": quiet}
	return b
}

// A broadcast's own quiet hours go in and come back as sent: a window, or
// off; without them it follows the bot's default and shows none.
func TestBroadcastQuietHoursRoundTrip(t *testing.T) {
	r := vipRig(t, Options{})
	for _, tc := range []struct {
		name  string
		quiet map[string]any
		want  *herald.QuietHours
	}{
		{"window", map[string]any{"start": "21:00", "end": "07:30"}, &herald.QuietHours{Start: "21:00", End: "07:30"}},
		{"off", map[string]any{"off": true}, &herald.QuietHours{Off: true}},
		{"default", nil, nil},
	} {
		body := scheduled("Quiet "+tc.name, now.Add(48*time.Hour))
		if tc.quiet != nil {
			body["schedule"].(map[string]any)["quiet"] = tc.quiet
		}
		c := r.call(t, "POST", "/api/v1/broadcasts", goodToken, body)
		c.want(t, 201, tc.name)
		sched, _ := c.body["schedule"].(map[string]any)
		got, has := sched["quiet"]
		switch {
		case tc.quiet == nil && has:
			t.Errorf("%s: quiet = %v, want none (the bot's default)", tc.name, got)
		case tc.quiet != nil && !cmp.Equal(got, any(tc.quiet)):
			t.Errorf("%s: quiet = %v, want %v", tc.name, got, tc.quiet)
		}
		b, err := r.store.Broadcast(c.body["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if (b.Schedule.Quiet == nil) != (tc.want == nil) || (tc.want != nil && *b.Schedule.Quiet != *tc.want) {
			t.Errorf("%s: stored quiet hours %+v, want %+v", tc.name, b.Schedule.Quiet, tc.want)
		}
	}
}

// vipRig is a rig whose store has three LINE subscribers tagged vip, the
// audience scheduled() targets.
func vipRig(t *testing.T, opts Options, tune ...func(*broadcasts.Options)) *rig {
	t.Helper()
	r := newRig(t, opts, tune...)
	var subs []herald.Subscriber
	for _, id := range []string{"U1", "U2", "U3"} {
		subs = append(subs, herald.Subscriber{Platform: herald.LINE, ID: id, Kind: herald.KindUser, State: herald.Subscribed,
			Tags: []string{"vip"}, FirstSeen: now, LastInteraction: now})
	}
	if err := r.store.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestScheduledBroadcastsFollowTheChatsRules: an API client cannot
// schedule what an admin could not confirm: nobody to send to is refused,
// and an audience over the approval threshold waits for an admin.
func TestScheduledBroadcastsFollowTheChatsRules(t *testing.T) {
	r := vipRig(t, Options{}, func(o *broadcasts.Options) { o.ApprovalThreshold = 2 })
	nobody := scheduled("Nobody", now.Add(time.Hour))
	nobody["audience"] = map[string]any{"channels": []string{"line"}, "include_tags": []string{"gold"}}
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, nobody)
	a.want(t, 422, "no recipients")
	if e, _ := a.body["error"].(map[string]any); e["code"] != "no_recipients" || e["field"] != "audience" {
		t.Errorf("an audience of nobody answered %s", a.raw)
	}

	big := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Three VIPs", now.Add(time.Hour)))
	big.want(t, 201, "over the threshold")
	if big.body["status"] != string(herald.StatusPending) {
		t.Errorf("3 recipients over a threshold of 2: status %v, want %s", big.body["status"], herald.StatusPending)
	}
	if b, err := r.store.Broadcast(big.body["id"].(string)); err != nil || b.Status != herald.StatusPending {
		t.Errorf("stored as %v (%v), want pending approval", b.Status, err)
	}
}

// A scheduled broadcast whose LINE recipients exceed what LINE's monthly
// quota has left (read from the LINE fake) is a 422 with the numbers.
func TestBroadcastOverLINEQuotaIsRefused(t *testing.T) {
	sender, fake := linetest.Sender(t)
	fake.SetQuota(2)
	r := vipRig(t, Options{}, func(o *broadcasts.Options) { o.Quota = sender })
	a := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Too many", now.Add(48*time.Hour)))
	a.wantError(t, 422, "over_quota", "audience", "over the quota")
	if !strings.Contains(string(a.raw), "needs 3 LINE messages, 2 left this month (0 of 2 used)") {
		t.Errorf("refusal does not give the numbers: %s", a.raw)
	}
	fake.SetQuota(3)
	r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Fits", now.Add(48*time.Hour))).want(t, 201, "within the quota")
}

// A run that reached LINE · Shop gives its tally account by account.
func TestRunByAccount(t *testing.T) {
	r := vipRig(t, Options{})
	s := r.call(t, "POST", "/api/v1/broadcasts", goodToken, scheduled("Shops", now.Add(48*time.Hour)))
	s.want(t, 201, "scheduled")
	id := s.body["id"].(string)
	addRun(t, r, id, []herald.Delivery{
		{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, Outcome: herald.Sent},
		{Seq: 2, Recipient: herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "U1"}, Outcome: herald.Sent},
		{Seq: 3, Recipient: herald.SubscriberKey{Platform: herald.LINE, Account: "shop", ID: "U2"}, Outcome: herald.Failed, Reason: herald.ReasonOutsideWindow, At: now},
	})
	g := r.call(t, "GET", "/api/v1/broadcasts/"+id, goodToken, nil)
	g.want(t, 200, "get")
	runs, _ := g.body["runs"].([]any)
	if len(runs) != 1 {
		t.Fatalf("runs = %v", g.body["runs"])
	}
	by, _ := runs[0].(map[string]any)["by_account"].(map[string]any)
	shop, _ := by["line:shop"].(map[string]any)
	main, _ := by["line"].(map[string]any)
	if shop["sent"] != float64(1) || shop["failed"] != float64(1) || main["sent"] != float64(1) || main["failed"] != float64(0) {
		t.Errorf("by_account = %v, want line 1 sent and line:shop 1 sent 1 failed", by)
	}
}
