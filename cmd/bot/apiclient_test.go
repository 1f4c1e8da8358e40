package main

import (
	"context"
	"net/http"
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
