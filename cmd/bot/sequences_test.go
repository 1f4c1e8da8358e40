package main

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/heraldbot/herald/handlers/api/apiclient"
)

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
	outlet, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "Outlet", Steps: []apiclient.Step{text("0", "Hi")},
		Trigger: apiclient.Trigger{Kind: apiclient.Follow, Channel: ptr("line:outlet")}})
	check("an account the bot does not have", err, outlet, http.StatusUnprocessableEntity)
	if outlet.JSON422.Error.Field == nil || *outlet.JSON422.Error.Field != "trigger.channel" {
		t.Errorf("line:outlet: %s", outlet.Body)
	}
	bad, err := c.CreateSequenceWithResponse(ctx, apiclient.SequenceWrite{Name: "No steps", Trigger: apiclient.Trigger{Kind: apiclient.Event, Event: ptr("x")}})
	check("no steps", err, bad, http.StatusUnprocessableEntity)
	if bad.JSON422.Error.Field == nil || *bad.JSON422.Error.Field != "steps" {
		t.Errorf("no steps: %s", bad.Body)
	}
}
