package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/api/apiclient"
	"github.com/heraldbot/herald/platformtest"
)

// TestGeneratedClientDrivesTheAPI calls the running bot's REST API only
// through the Go client generated from docs/openapi.yaml, as an integration
// would: if the spec and the API disagree on a path, a parameter, a field
// or a status code, a call below fails. The broadcast goes out through the
// real senders to the platform fakes.
func TestGeneratedClientDrivesTheAPI(t *testing.T) {
	start := time.Now()
	a, fakes, c := startAPIApp(t, start, withLINE)
	ctx := context.Background()
	check := statusCheck(t)

	// Subscribers: register, tag, set attributes, record an event.
	const lineID = "U0123456789abcdef0123456789abcdef"
	up, err := c.UpsertSubscriberWithResponse(ctx, apiclient.PlatformTelegram, "1001",
		apiclient.SubscriberUpsert{Name: ptr("Ana Chen"), Tags: &[]string{"vip"}, Timezone: ptr("Asia/Taipei")})
	check("upsert telegram", err, up, http.StatusCreated)
	if up.JSON201 == nil || *up.JSON201.Name != "Ana Chen" || *up.JSON201.State != apiclient.SubscriberStateSubscribed {
		t.Errorf("created subscriber = %s", up.Body)
	}
	up, err = c.UpsertSubscriberWithResponse(ctx, apiclient.PlatformLine, lineID, apiclient.SubscriberUpsert{Name: ptr("Ben")})
	check("upsert line", err, up, http.StatusCreated)
	tags, err := c.AddSubscriberTagsWithResponse(ctx, apiclient.PlatformLine, lineID, apiclient.AddSubscriberTagsJSONRequestBody{Tags: []string{"VIP "}})
	check("add tags", err, tags, http.StatusOK)
	if tags.JSON200 == nil || strings.Join(*tags.JSON200.Tags, ",") != "vip" {
		t.Errorf("tags after adding \"VIP \": %s", tags.Body)
	}
	attrs, err := c.UpdateSubscriberAttributesWithResponse(ctx, apiclient.PlatformLine, lineID,
		apiclient.UpdateSubscriberAttributesJSONRequestBody{Attributes: map[string]*string{"city": ptr("Taipei")}})
	check("set attributes", err, attrs, http.StatusOK)
	ev, err := c.RecordSubscriberEventWithResponse(ctx, apiclient.PlatformLine, lineID, apiclient.RecordSubscriberEventJSONRequestBody{Name: "purchase"})
	check("record event", err, ev, http.StatusOK)
	if ev.JSON200 == nil || (*ev.JSON200.Attributes)["last_event"] != "purchase" || (*ev.JSON200.Attributes)["city"] != "Taipei" {
		t.Errorf("attributes after the event: %s", ev.Body)
	}

	// The audience, then a broadcast to it, fired by the scheduler.
	aud := apiclient.Audience{Channels: []apiclient.AudienceChannels{apiclient.AudienceChannelsLine, apiclient.AudienceChannelsTelegram},
		IncludeTags: &[]string{"vip"}}
	count, err := c.CountAudienceWithResponse(ctx, apiclient.CountAudienceJSONRequestBody{Audience: aud})
	check("count", err, count, http.StatusOK)
	if count.JSON200 == nil || *count.JSON200.Total != 2 {
		t.Errorf("count = %s, want a total of 2", count.Body)
	}
	at := start.Add(time.Hour).UTC().Truncate(time.Minute)
	created, err := c.CreateBroadcastWithResponse(ctx, apiclient.BroadcastCreate{Name: "Generated client", Status: ptr(apiclient.BroadcastCreateStatusScheduled),
		Category: ptr(apiclient.BroadcastCreateCategoryMarketing), Audience: &aud,
		Content:  &apiclient.Content{Kind: apiclient.Text, Text: ptr("Hello {name|there}")},
		Schedule: &apiclient.Schedule{Kind: apiclient.At, At: &at}})
	check("create", err, created, http.StatusCreated)
	id := *created.JSON201.Id
	if *created.JSON201.Status != apiclient.BroadcastStatusScheduled || !*created.JSON201.External {
		t.Errorf("created broadcast: %s", created.Body)
	}
	a.parts.sched.Tick(ctx, at)
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if len(fakes.Recorder.To("line", lineID)) != 1 || len(fakes.Recorder.To("telegram", "1001")) != 1 {
		t.Errorf("deliveries: line %d, telegram %d; want 1 each", len(fakes.Recorder.To("line", lineID)), len(fakes.Recorder.To("telegram", "1001")))
	}
	got, err := c.GetBroadcastWithResponse(ctx, strings.ToLower(id))
	check("get", err, got, http.StatusOK)
	if d := got.JSON200; d == nil || *d.Status != apiclient.BroadcastDetailStatusCompleted || *d.Totals.Sent != 2 || len(*d.Runs) != 1 {
		t.Errorf("broadcast after its run: %s", got.Body)
	}
	list, err := c.ListBroadcastsWithResponse(ctx, &apiclient.ListBroadcastsParams{Status: ptr("completed"), Limit: ptr(10)})
	check("list", err, list, http.StatusOK)
	if list.JSON200 == nil || len(*list.JSON200.Broadcasts) != 1 || *(*list.JSON200.Broadcasts)[0].Id != id {
		t.Errorf("completed broadcasts: %s", list.Body)
	}
	csv, err := c.GetBroadcastFailuresWithResponse(ctx, id)
	check("failures.csv", err, csv, http.StatusOK)
	if string(csv.Body) != "run_id,platform,recipient_id,reason,attempts,at,account\n" {
		t.Errorf("failures of a clean run: %q", csv.Body)
	}

	// Control: a completed broadcast cannot be paused; a draft is canceled.
	pause, err := c.PauseBroadcastWithResponse(ctx, id)
	check("pause completed", err, pause, http.StatusConflict)
	if pause.JSON409 == nil || pause.JSON409.Error.Code != "invalid_transition" {
		t.Errorf("pause of a completed broadcast: %s", pause.Body)
	}
	draft, err := c.CreateBroadcastWithResponse(ctx, apiclient.BroadcastCreate{Name: "Later"})
	check("create draft", err, draft, http.StatusCreated)
	cancel, err := c.CancelBroadcastWithResponse(ctx, *draft.JSON201.Id)
	check("cancel draft", err, cancel, http.StatusOK)
	if *cancel.JSON200.Status != apiclient.BroadcastStatusCanceled {
		t.Errorf("canceled draft: %s", cancel.Body)
	}

	// Erasure, and the spec's error shapes.
	erase, err := c.EraseSubscriberWithResponse(ctx, apiclient.PlatformTelegram, "1001")
	check("erase", err, erase, http.StatusNoContent)
	gone, err := c.GetSubscriberWithResponse(ctx, apiclient.PlatformTelegram, "1001")
	check("get erased", err, gone, http.StatusNotFound)
	if gone.JSON404 == nil || gone.JSON404.Error.Code == "" {
		t.Errorf("404 body: %s", gone.Body)
	}
	anon, err := apiclient.NewClientWithResponses("http://" + a.addr)
	if err != nil {
		t.Fatal(err)
	}
	denied, err := anon.GetSubscriberWithResponse(ctx, apiclient.PlatformLine, lineID)
	check("without a token", err, denied, http.StatusUnauthorized)
	if denied.JSON401 == nil || denied.JSON401.Error == nil {
		t.Errorf("401 body: %s", denied.Body)
	}
}

func ptr[T any](v T) *T { return &v }

// statusCheck fails t when a generated client's call erred or answered
// another status than want.
func statusCheck(t *testing.T) func(what string, err error, res interface{ StatusCode() int }, want int) {
	return func(what string, err error, res interface{ StatusCode() int }, want int) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if res.StatusCode() != want {
			t.Fatalf("%s: status %d, want %d", what, res.StatusCode(), want)
		}
	}
}

// startAPIApp starts the bot at start with Telegram (admin group -100777)
// on the platform fakes, changed by tweak, and the API token of "crm", and
// returns a client generated from the spec that uses the token.
func startAPIApp(t *testing.T, start time.Time, tweak func(cfg *Config, u platformtest.BaseURLs)) (*app, *platformtest.Server, *apiclient.ClientWithResponses) {
	t.Helper()
	fakes, u := platformFakes(t)
	cfg := testConfig(t)
	cfg.Telegram = TelegramConfig{Token: "123456:client-test", APIURL: u.Telegram, AdminChatIDs: []int64{-100777}}
	cfg.API.Tokens = []APIToken{{Name: "crm", Token: "crm-token-0123456789"}}
	if tweak != nil {
		tweak(&cfg, u)
	}
	addAdminGroup(fakes.Telegram, -100777)
	a := startTestApp(t, cfg, func() time.Time { return start })
	c, err := apiclient.NewClientWithResponses("http://"+a.addr, apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer crm-token-0123456789")
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	return a, fakes, c
}

// TestGeneratedClientDrivesSequences makes sequences through the client
// generated from docs/openapi.yaml and sees each trigger deliver its
// first step through the running bot to the LINE fake: an API event
// (once, however often it is posted), a tag added by the API, and a new
// subscriber's follow on LINE's webhook.
func TestGeneratedClientDrivesSequences(t *testing.T) {
	start := time.Now()
	a, fakes, c := startAPIApp(t, start, withLINE)
	ctx := context.Background()
	check := statusCheck(t)
	text := func(delay, s string) apiclient.Step {
		return apiclient.Step{Delay: delay, Content: apiclient.Content{Kind: apiclient.Text, Text: ptr(s)}}
	}
	const ana = "U0123456789abcdef0123456789abcde1"
	up, err := c.UpsertSubscriberWithResponse(ctx, apiclient.PlatformLine, ana, apiclient.SubscriberUpsert{Name: ptr("Ana")})
	check("upsert", err, up, http.StatusCreated)

	// An API event.
	made, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "Onboarding",
		Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("signup")},
		Steps:   []apiclient.Step{text("0", "Welcome aboard, {name}!"), text("3d", "Three days in")}})
	check("create", err, made, http.StatusCreated)
	id := made.JSON201.Id
	ev := apiclient.PostEventJSONRequestBody{Id: "signup-ana", Name: "signup"}
	ev.Subscriber.Platform, ev.Subscriber.Id = apiclient.PostEventJSONBodySubscriberPlatformLine, ana
	posted, err := c.PostEventWithResponse(ctx, ev)
	check("event", err, posted, http.StatusOK)
	if posted.JSON200.Duplicate || len(posted.JSON200.Sequences) != 1 || posted.JSON200.Sequences[0] != id {
		t.Fatalf("event answer: %s", posted.Body)
	}
	again, err := c.PostEventWithResponse(ctx, ev)
	check("event again", err, again, http.StatusOK)
	if !again.JSON200.Duplicate || len(again.JSON200.Sequences) != 0 {
		t.Fatalf("repeated event answer: %s", again.Body)
	}
	stranger := ev
	stranger.Id, stranger.Subscriber.Id = "signup-nobody", "U0123456789abcdef0123456789abcdef"
	unknown, err := c.PostEventWithResponse(ctx, stranger)
	check("event for nobody Herald knows", err, unknown, http.StatusNotFound)
	badName := ev
	badName.Id, badName.Name = "signup-bad", "Sign Up"
	badEv, err := c.PostEventWithResponse(ctx, badName)
	check("event with a bad name", err, badEv, http.StatusUnprocessableEntity)
	if badEv.JSON422 == nil || *badEv.JSON422.Error.Field != "name" {
		t.Errorf("bad event name: %s", badEv.Body)
	}
	waitForDelivery(t, fakes.Recorder, "line", ana, "Welcome aboard, Ana!")
	waitUntil(t, "step 1 counts its send", func() bool {
		got, err := c.GetSequenceWithResponse(ctx, id)
		return err == nil && got.JSON200 != nil && got.JSON200.Stats[0].Sent == 1 && got.JSON200.Stats[1].Waiting == 1
	})

	// Ana blocks the bot on LINE: she leaves before step 2.
	postLINE(t, a.addr, "s", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"unfollow","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01SEQOUT","deliveryContext":{"isRedelivery":false}}]}`, start.UnixMilli(), ana))
	waitUntil(t, "Ana left the sequence", func() bool {
		got, err := c.GetSequenceWithResponse(ctx, id)
		return err == nil && got.JSON200 != nil && got.JSON200.Left == 1 && got.JSON200.Stats[1].Waiting == 0
	})
	// She follows again: a tag added through the API.
	postLINE(t, a.addr, "s", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01SEQBACK","deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`, start.UnixMilli()+1, ana))
	waitUntil(t, "Ana is back", func() bool {
		got, err := c.GetSubscriberWithResponse(ctx, apiclient.PlatformLine, ana)
		return err == nil && got.JSON200 != nil && *got.JSON200.State == apiclient.SubscriberStateSubscribed
	})

	tagged, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "VIP perks",
		Trigger: apiclient.Trigger{Kind: apiclient.Tag, Tag: ptr("vip")}, Steps: []apiclient.Step{text("0", "Your VIP perks")}})
	check("create tag sequence", err, tagged, http.StatusCreated)
	tags, err := c.AddSubscriberTagsWithResponse(ctx, apiclient.PlatformLine, ana, apiclient.AddSubscriberTagsJSONRequestBody{Tags: []string{"vip"}})
	check("tag", err, tags, http.StatusOK)
	waitForDelivery(t, fakes.Recorder, "line", ana, "Your VIP perks")
	const cai = "U0123456789abcdef0123456789abcde3" // registered with the tag
	up, err = c.UpsertSubscriberWithResponse(ctx, apiclient.PlatformLine, cai, apiclient.SubscriberUpsert{Name: ptr("Cai"), Tags: &[]string{"vip"}})
	check("upsert with a tag", err, up, http.StatusCreated)
	waitForDelivery(t, fakes.Recorder, "line", cai, "Your VIP perks")

	// A new subscriber following on LINE.
	follow, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "Hello LINE",
		Trigger: apiclient.Trigger{Kind: apiclient.Follow, Channel: ptr("line")}, Steps: []apiclient.Step{text("0", "Thanks for following")}})
	check("create follow sequence", err, follow, http.StatusCreated)
	const ben = "U0123456789abcdef0123456789abcde2"
	postLINE(t, a.addr, "s", fmt.Sprintf(`{"destination":"Ubot","events":[{"type":"follow","mode":"active","timestamp":%d,`+
		`"source":{"type":"user","userId":%q},"webhookEventId":"01SEQ","deliveryContext":{"isRedelivery":false},"replyToken":"r"}]}`, start.UnixMilli(), ben))
	waitForDelivery(t, fakes.Recorder, "line", ben, "Thanks for following")

	// Pause, resume, list, delete.
	paused, err := c.PauseSequenceWithResponse(ctx, id)
	check("pause", err, paused, http.StatusOK)
	if !paused.JSON200.Paused {
		t.Errorf("paused: %s", paused.Body)
	}
	resumed, err := c.ResumeSequenceWithResponse(ctx, id)
	check("resume", err, resumed, http.StatusOK)
	list, err := c.ListSequencesWithResponse(ctx)
	check("list", err, list, http.StatusOK)
	if len(list.JSON200.Sequences) != 3 || list.JSON200.Sequences[0].Id != id {
		t.Errorf("list: %s", list.Body)
	}
	waitUntil(t, "the tag sequence's step is done", func() bool {
		got, err := c.GetSequenceWithResponse(ctx, tagged.JSON201.Id)
		return err == nil && got.JSON200 != nil && got.JSON200.Finished == 2
	})
	del, err := c.DeleteSequenceWithResponse(ctx, tagged.JSON201.Id)
	check("delete", err, del, http.StatusNoContent)
	gone, err := c.GetSequenceWithResponse(ctx, tagged.JSON201.Id)
	check("get deleted", err, gone, http.StatusNotFound)
	// Accounts: kept on the sequence, unchanged by a replace that leaves them out.
	hi := []apiclient.Step{text("0", "Hi")}
	lineOnly, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "LINE only", Steps: hi,
		Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("hello")}, Accounts: &[]string{"line"}})
	check("create with accounts", err, lineOnly, http.StatusCreated)
	renamed, err := c.ReplaceSequenceWithResponse(ctx, lineOnly.JSON201.Id, apiclient.SequenceWrite{Name: "LINE only, renamed",
		Steps: hi, Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("hello")}})
	check("replace without accounts", err, renamed, http.StatusOK)
	if renamed.JSON200.Accounts == nil || !slices.Equal(*renamed.JSON200.Accounts, []string{"line"}) {
		t.Errorf("a replace leaving accounts out changed them: %s", renamed.Body)
	}
	// Refused, each with the field to fix.
	for _, c422 := range []struct {
		what  string
		req   apiclient.SequenceWrite
		field string
	}{
		{"an account the bot does not have", apiclient.SequenceWrite{Name: "Outlet", Steps: hi,
			Trigger: apiclient.Trigger{Kind: apiclient.Follow, Channel: ptr("line:outlet")}}, "trigger.channel"},
		{"accounts the bot does not have", apiclient.SequenceWrite{Name: "Outlet only", Steps: hi,
			Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("hello")}, Accounts: &[]string{"line:outlet"}}, "accounts"},
		{"a follow trigger outside the accounts", apiclient.SequenceWrite{Name: "Telegram welcome", Steps: hi,
			Trigger: apiclient.Trigger{Kind: apiclient.Follow, Channel: ptr("telegram")}, Accounts: &[]string{"line"}}, "trigger.channel"},
		{"no steps", apiclient.SequenceWrite{Name: "No steps", Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("x")}}, "steps"},
	} {
		bad, err := c.CreateSequenceWithResponse(ctx, c422.req)
		check(c422.what, err, bad, http.StatusUnprocessableEntity)
		if bad.JSON422.Error.Field == nil || *bad.JSON422.Error.Field != c422.field {
			t.Errorf("%s: %s, want the field %s", c422.what, bad.Body, c422.field)
		}
	}
}
