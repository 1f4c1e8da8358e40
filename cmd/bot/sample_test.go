package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/api/apiclient"
	"github.com/heraldbot/herald/platformtest"
)

// The REST API takes audience.sample and refuses bad ones with a 422 on
// the field; a capped broadcast and a holdout go out through the real
// senders to exactly the people their seed draws, and nobody else.
func TestAPISampleSendsExactlyTheDraw(t *testing.T) {
	start := time.Now()
	a, fakes, c := startAPIApp(t, start, nil)
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprint(700000 + i)
	}
	subscribe(t, a.store, herald.Telegram, start, []string{"fans"}, ids...)
	ctx := context.Background()
	audience := func(s apiclient.Sample) *apiclient.Audience {
		return &apiclient.Audience{Channels: []apiclient.AudienceChannels{apiclient.AudienceChannelsTelegram}, Sample: &s}
	}

	for _, tt := range []struct {
		s     apiclient.Sample
		field string
	}{
		{apiclient.Sample{Percent: ptr(100.0)}, "audience.sample.percent"},
		{apiclient.Sample{Max: ptr(-1)}, "audience.sample.max"},
		{apiclient.Sample{HoldoutPercent: ptr(150.0)}, "audience.sample.holdout_percent"},
		{apiclient.Sample{Percent: ptr(10.0), Max: ptr(5)}, "audience.sample"},
		{apiclient.Sample{Seed: ptr(int64(5))}, "audience.sample"},
		{apiclient.Sample{Percent: ptr(10.0), Seed: ptr(int64(herald.MaxSampleSeed + 1))}, "audience.sample.seed"},
	} {
		res, err := c.CreateBroadcastWithResponse(ctx, apiclient.BroadcastCreate{Name: "Bad sample", Status: ptr(apiclient.BroadcastCreateStatusScheduled),
			Audience: audience(tt.s), Content: &apiclient.Content{Kind: apiclient.Text, Text: ptr("Hi")},
			Schedule: &apiclient.Schedule{Kind: apiclient.At, At: ptr(start.Add(time.Hour))}})
		if err != nil {
			t.Fatal(err)
		}
		if res.StatusCode() != http.StatusUnprocessableEntity || res.JSON422 == nil || res.JSON422.Error.Field == nil || *res.JSON422.Error.Field != tt.field {
			t.Errorf("%s: status %d, body %s; want 422 on %s", tt.field, res.StatusCode(), res.Body, tt.field)
		}
	}

	count, err := c.CountAudienceWithResponse(ctx, apiclient.CountAudienceJSONRequestBody{Audience: *audience(apiclient.Sample{HoldoutPercent: ptr(10.0), Seed: ptr(int64(42))})})
	if err != nil || count.JSON200 == nil {
		t.Fatalf("count: %v %s", err, count.Body)
	}
	sent, control := drawn(ids, &herald.Sample{HoldoutPercent: 10, Seed: 42})
	if *count.JSON200.Total != len(sent) || *count.JSON200.BeforeSample != 60 || *count.JSON200.Control != len(control) {
		t.Errorf("holdout count %s, want total %d of 60, control %d", count.Body, len(sent), len(control))
	}

	at := start.Add(time.Hour).UTC().Truncate(time.Minute)
	send := func(name string, s apiclient.Sample) apiclient.Broadcast {
		t.Helper()
		res, err := c.CreateBroadcastWithResponse(ctx, apiclient.BroadcastCreate{Name: name, Status: ptr(apiclient.BroadcastCreateStatusScheduled),
			Audience: audience(s), Content: &apiclient.Content{Kind: apiclient.Text, Text: ptr(name)},
			Schedule: &apiclient.Schedule{Kind: apiclient.At, At: &at}})
		if err != nil || res.StatusCode() != http.StatusCreated {
			t.Fatalf("create %s: %v %s", name, err, res.Body)
		}
		return *res.JSON201
	}
	capped := send("Cap of seven", apiclient.Sample{Max: ptr(7), Seed: ptr(int64(99))})
	held := send("All but ten percent", apiclient.Sample{HoldoutPercent: ptr(10.0)})
	seed := held.Audience.Sample.Seed
	if s := capped.Audience.Sample; s == nil || *s.Max != 7 || *s.Seed != 99 || seed == nil || *seed == 0 {
		t.Fatalf("stored samples: %+v / %+v", capped.Audience.Sample, held.Audience.Sample)
	}
	a.parts.sched.Tick(ctx, at)
	if err := a.parts.dispatch.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	lowest := slices.Clone(ids)
	rank := func(id string) uint64 {
		return herald.SampleRank(99, herald.SubscriberKey{Platform: herald.Telegram, ID: id})
	}
	sort.Slice(lowest, func(i, j int) bool { return rank(lowest[i]) < rank(lowest[j]) })
	if got, want := receivers(fakes, "Cap of seven"), sorted(lowest[:7]); !slices.Equal(got, want) {
		t.Errorf("the cap of 7 reached %v, want the 7 lowest ranks %v", got, want)
	}
	sent, control = drawn(ids, &herald.Sample{HoldoutPercent: 10, Seed: uint64(*seed)})
	if got := receivers(fakes, "All but ten percent"); !slices.Equal(got, sent) || len(control) == 0 {
		t.Errorf("the holdout reached %d people, want the %d outside its control group of %d", len(got), len(sent), len(control))
	}
	run, err := a.store.Run(*held.Id + "/1")
	if err != nil || run.Control != len(control) || run.Total != len(sent) {
		t.Errorf("run %+v (%v): want %d sent and a control group of %d recorded", run, err, len(sent), len(control))
	}
}

// drawn splits Telegram ids into the sample's sent and control groups.
func drawn(ids []string, s *herald.Sample) (sent, control []string) {
	for _, id := range ids {
		k := herald.SubscriberKey{Platform: herald.Telegram, ID: id}
		if s.Takes(k) {
			sent = append(sent, id)
		} else {
			control = append(control, id)
		}
	}
	return sorted(sent), sorted(control)
}

// receivers are the Telegram chats that got text, sorted.
func receivers(f *platformtest.Server, text string) []string {
	var out []string
	for _, d := range f.Recorder.Deliveries("telegram") {
		if strings.Contains(d.Content, text) {
			out = append(out, d.Recipient)
		}
	}
	return sorted(out)
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
