package storagetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// Broadcasts is the contract of broadcasts, runs and deliveries
// (storage.BroadcastStore).
func Broadcasts(t *testing.T, o Opener) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, o Opener)
	}{
		{"BroadcastRoundTripSurvivesReopen", broadcastRoundTrip},
		{"BroadcastContentAndSampleRoundTrip", broadcastContentRoundTrip},
		{"BroadcastNamesUniqueAmongUnfinished", broadcastNamesUnique},
		{"BroadcastNameFreedByRenameAndDelete", broadcastNameFreed},
		{"UpdateBroadcastChecksTransitions", updateBroadcastTransitions},
		{"ListBroadcastsNewestFirstFilteredAndPaged", listBroadcasts},
		{"FindBroadcasts", findBroadcasts},
		{"BroadcastIDsAreFreshAndTypeable", broadcastIDsFresh},
		{"CreateBroadcastWithATakenIDConflicts", broadcastIDTaken},
		{"DeleteBroadcastIfAsksFirst", deleteBroadcastIf},
		{"DeleteBroadcastCascades", deleteBroadcastCascades},
		{"NotFoundIsNeverNil", broadcastsNotFound},
		{"CreateRunNumbersRunsAndCountsThem", createRunNumbers},
		{"StartRunDecidesWithTheBroadcast", startRunDecides},
		{"UpdateBroadcastRunSeesBoth", updateBroadcastRun},
		{"OutcomesKeepTallyExactAcrossRetriesAndReopen", outcomesKeepTallyExact},
		{"RecordOutcomesRefusesUnknownRecipients", recordOutcomesRefusesUnknown},
		{"AddDeliveriesSkipsSeqsItHas", addDeliveriesSkipsKnown},
		{"PendingPagesPerPlatform", pendingPagesPerPlatform},
		{"RecordsKeepEveryField", recordsKeepEveryField},
		{"AccountTallies", accountTallies},
		{"InFlightMarksLeaveOnlyTheUncertain", inFlightLeavesUncertain},
		{"RunTimelineCountsOutcomesPerMinute", runTimeline},
		{"FailedWritesLeaveNothing", failedWritesLeaveNothing},
		{"ConcurrentUpdatesOfOneBroadcastAllApply", concurrentBroadcastUpdates},
		{"ConcurrentCommitsKeepTheTallyExact", concurrentCommits},
		{"ConcurrentCreatesOfOneNameOneWins", concurrentNames},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, o) })
	}
}

// bcastClock is the tests' time, 2026-03-01 09:00 UTC, moved by the test.
func bcastClock() *platformtest.Clock {
	return platformtest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
}

// bcastOpen opens a new store on its own clock.
func bcastOpen(t *testing.T, o Opener) (storage.Backend, *platformtest.Clock) {
	c := bcastClock()
	return o.Open(t, c.Now), c
}

func bcastNew(t *testing.T, s storage.Backend, name string) herald.Broadcast {
	t.Helper()
	b := herald.Broadcast{Name: name, Origin: herald.Origin{Frontend: "slack", ChatID: "C1", UserID: "U1"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
		Content:  herald.Content{Text: "Hello"}}
	if err := s.CreateBroadcast(&b); err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	return b
}

func broadcastRoundTrip(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	b := bcastNew(t, s, "Spring sale")
	if herald.NormalizeBroadcastID(b.ID) != b.ID || b.Status != herald.StatusDraft || !b.CreatedAt.Equal(c.Now()) {
		t.Fatalf("created %+v", b)
	}
	s = o.Reopen(t, s, c.Now)
	got, err := s.Broadcast(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("after reopen (-want +got):\n%s", diff)
	}
}

// A carousel keeps its formatting and cards; a sample keeps its seed.
func broadcastContentRoundTrip(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	text, spans := herald.ParseMarkup("*Two* cards", false)
	nb := herald.Broadcast{Name: "New", Content: herald.Content{Kind: herald.CarouselContent,
		Cards:   []herald.Card{{Title: "A", Text: text, Spans: spans}, {Title: "B"}},
		Buttons: []herald.Button{{ID: "b1", Label: "Go", Kind: herald.ActionButton, Card: 1}}},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users,
			Sample: &herald.Sample{HoldoutPercent: 5, Seed: herald.MaxSampleSeed}}}
	if err := s.CreateBroadcast(&nb); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, c.Now)
	got, err := s.Broadcast(nb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if herald.Markup(got.Content.Cards[0].Text, got.Content.Cards[0].Spans) != "*Two* cards" || got.Content.Buttons[0].Card != 1 {
		t.Errorf("stored carousel came back as %+v", got.Content)
	}
	if got.Audience.Sample == nil || *got.Audience.Sample != *nb.Audience.Sample {
		t.Errorf("stored sample came back as %+v, want %+v", got.Audience.Sample, nb.Audience.Sample)
	}
}

func broadcastNamesUnique(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	a := bcastNew(t, s, "Spring sale")
	dup := herald.Broadcast{Name: "  SPRING sale "}
	if err := s.CreateBroadcast(&dup); !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("duplicate name: err = %v, want ErrConflict", err)
	}
	other := bcastNew(t, s, "Autumn")
	if _, err := s.UpdateBroadcast(other.ID, func(b *herald.Broadcast) error { b.Name = "spring SALE"; return nil }); !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("rename onto a used name: err = %v", err)
	}
	if _, err := s.UpdateBroadcast(a.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusCanceled; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBroadcast(&dup); err != nil {
		t.Fatalf("name of a canceled broadcast is free again: %v", err)
	}
}

func broadcastNameFreed(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	a := bcastNew(t, s, "Winter promo")
	if _, err := s.UpdateBroadcast(a.ID, func(b *herald.Broadcast) error { b.Name = "Winter promo v2"; return nil }); err != nil {
		t.Fatal(err)
	}
	bcastNew(t, s, "winter PROMO") // the old name is free after the rename
	if err := s.DeleteBroadcast(a.ID); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, c.Now)
	bcastNew(t, s, "Winter promo v2") // and the new one after the delete
}

func updateBroadcastTransitions(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	b := bcastNew(t, s, "Launch")
	steps := []struct {
		to herald.Status
		ok bool
	}{
		{herald.StatusSending, false}, // a draft cannot start sending
		{herald.StatusScheduled, true},
		{herald.StatusSending, true},
		{herald.StatusCompleted, true},
		{herald.StatusScheduled, false}, // final is final
	}
	for _, st := range steps {
		c.Add(time.Minute)
		before, _ := s.Broadcast(b.ID)
		got, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Status = st.to; b.UpdatedBy = "U2"; return nil })
		if st.ok != (err == nil) {
			t.Fatalf("%s → %s: err = %v", before.Status, st.to, err)
		}
		after, _ := s.Broadcast(b.ID)
		if !st.ok {
			if !errors.Is(err, herald.ErrInvalidTransition) || !strings.Contains(err.Error(), string(st.to)) {
				t.Errorf("refusal %v should name the statuses", err)
			}
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("refused update changed the broadcast:\n%s", diff)
			}
			continue
		}
		if after.Status != st.to || !after.UpdatedAt.Equal(c.Now()) || after.UpdatedBy != "U2" || !cmp.Equal(got, after) {
			t.Errorf("after → %s: %+v", st.to, after)
		}
	}
	boom := errors.New("boom")
	if _, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Name = "x"; return boom }); !errors.Is(err, boom) {
		t.Errorf("fn error not returned: %v", err)
	}
	if got, _ := s.Broadcast(b.ID); got.Name != "Launch" {
		t.Errorf("aborted update was written: %q", got.Name)
	}
	// What storage owns stays storage's.
	got, err := s.UpdateBroadcast(b.ID, func(x *herald.Broadcast) error {
		x.ID, x.Runs, x.CreatedAt = "B-OTHER", 9, time.Time{}
		return nil
	})
	if err != nil || got.ID != b.ID || got.Runs != 0 || !got.CreatedAt.Equal(b.CreatedAt) {
		t.Errorf("update of storage's fields: %+v, %v", got, err)
	}
}

func listBroadcasts(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	for i, name := range []string{"one", "two", "three", "four", "five"} {
		c.Add(time.Minute)
		b := bcastNew(t, s, name)
		if i%2 == 1 {
			if _, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusScheduled; return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A hidden step broadcast is listed only when asked for; one created
	// in the same instant as another comes by ID.
	step := herald.Broadcast{ID: "B-ZZZZ", Name: "step", Step: &herald.StepOf{Sequence: "Q-1"}}
	if err := s.CreateBroadcast(&step); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		q    herald.BroadcastQuery
		want string
	}{
		{herald.BroadcastQuery{}, "five,four,three,two,one"},
		{herald.BroadcastQuery{Limit: 2}, "five,four"},
		{herald.BroadcastQuery{Offset: 2, Limit: 2}, "three,two"},
		{herald.BroadcastQuery{Offset: 4, Limit: 2}, "one"},
		{herald.BroadcastQuery{Offset: 9}, ""},
		{herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusScheduled}}, "four,two"},
		{herald.BroadcastQuery{Statuses: []herald.Status{herald.StatusDraft, herald.StatusCanceled}, Limit: 2}, "five,three"},
		{herald.BroadcastQuery{Steps: true, Limit: 2}, "step,five"},
	}
	for _, tc := range cases {
		bs, err := s.ListBroadcasts(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range bs {
			got = append(got, b.Name)
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.q, got, tc.want)
		}
	}
}

func findBroadcasts(t *testing.T, o Opener) {
	s, c := bcastOpen(t, o)
	sale := bcastNew(t, s, "Spring sale")
	c.Add(time.Minute)
	bcastNew(t, s, "Summer SALE")
	c.Add(time.Minute)
	other := bcastNew(t, s, "Newsletter")
	typed := strings.ToLower(strings.TrimPrefix(sale.ID, "B-"))
	cases := []struct {
		text  string
		limit int
		want  []string
	}{
		{"sale", 0, []string{"Summer SALE", "Spring sale"}},
		{"sale", 1, []string{"Summer SALE"}},
		{typed, 0, []string{"Spring sale"}},
		{" " + strings.ToLower(other.ID) + " ", 0, []string{"Newsletter"}},
		{"nothing like it", 0, nil},
		{"", 0, nil},
	}
	for _, tc := range cases {
		bs, err := s.FindBroadcasts(tc.text, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, b := range bs {
			got = append(got, b.Name)
		}
		if !cmp.Equal(got, tc.want) {
			t.Errorf("find %q: got %q, want %q", tc.text, got, tc.want)
		}
	}
}

func broadcastIDsFresh(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	seen := map[string]bool{}
	for i := range 60 {
		b := herald.Broadcast{Name: strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26)}
		if err := s.CreateBroadcast(&b); err != nil {
			t.Fatal(err)
		}
		if seen[b.ID] || herald.NormalizeBroadcastID(b.ID) != b.ID {
			t.Fatalf("bad or repeated ID %q", b.ID)
		}
		seen[b.ID] = true
	}
}

func broadcastIDTaken(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	a := bcastNew(t, s, "first")
	b := herald.Broadcast{ID: a.ID, Name: "second"}
	if err := s.CreateBroadcast(&b); !errors.Is(err, herald.ErrConflict) {
		t.Errorf("create under a taken ID: %v, want ErrConflict", err)
	}
	bad := herald.Broadcast{Name: "odd", Status: "nonsense"}
	if err := s.CreateBroadcast(&bad); err == nil || !strings.HasPrefix(err.Error(), "storage: create broadcast: ") {
		t.Errorf("create with an unknown status: %v", err)
	}
}

func deleteBroadcastIf(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	b := bcastNew(t, s, "maybe")
	no := errors.New("not now")
	if _, err := s.DeleteBroadcastIf(b.ID, func(*herald.Broadcast) error { return no }); !errors.Is(err, no) {
		t.Fatalf("refused delete: %v", err)
	}
	if _, err := s.Broadcast(b.ID); err != nil {
		t.Fatalf("a refused delete deleted: %v", err)
	}
	got, err := s.DeleteBroadcastIf(b.ID, func(x *herald.Broadcast) error {
		if x.Name != "maybe" {
			return no
		}
		return nil
	})
	if err != nil || got.ID != b.ID {
		t.Fatalf("delete = %+v, %v", got, err)
	}
	if _, err := s.Broadcast(b.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deleted broadcast: %v", err)
	}
}

func deleteBroadcastCascades(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	keep := bcastNew(t, s, "keep")
	gone := bcastNew(t, s, "gone")
	for _, b := range []herald.Broadcast{keep, gone} {
		r := herald.Run{BroadcastID: b.ID}
		if err := s.CreateRun(&r); err != nil {
			t.Fatal(err)
		}
		if err := s.AddDeliveries(r.ID, []herald.Delivery{{Seq: 1, Recipient: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordTaps([]herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}}}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordClicks([]herald.Click{{BroadcastID: b.ID, ButtonID: "b2", Seq: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteBroadcast(gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Broadcast(gone.ID); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("broadcast still there: %v", err)
	}
	if runs, _ := s.RunsOf(gone.ID); len(runs) != 0 {
		t.Errorf("runs left: %v", runs)
	}
	if _, err := s.Deliveries(gone.ID+"/1", "", 0, 0); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deliveries left: %v", err)
	}
	if taps, _ := s.Taps(gone.ID); len(taps) != 0 {
		t.Errorf("taps left: %v", taps)
	}
	clicks, _ := s.Clicks(gone.ID)
	clickers, _ := s.Clickers(gone.ID, "b2")
	if len(clicks) != 0 || len(clickers) != 0 {
		t.Errorf("clicks left: %v, clickers %v", clicks, clickers)
	}
	runs, _ := s.RunsOf(keep.ID)
	ds, _ := s.Deliveries(keep.ID+"/1", "", 0, 0)
	taps, _ := s.Taps(keep.ID)
	clicks, _ = s.Clicks(keep.ID)
	if len(runs) != 1 || len(ds) != 1 || len(taps) != 1 || len(clicks) != 1 {
		t.Errorf("the other broadcast lost data: %d runs, %d deliveries, %d taps, %d clicks", len(runs), len(ds), len(taps), len(clicks))
	}
}

func broadcastsNotFound(t *testing.T, o Opener) {
	s, _ := bcastOpen(t, o)
	checks := map[string]error{}
	_, checks["broadcast"] = s.Broadcast("B-NONE")
	_, checks["update broadcast"] = s.UpdateBroadcast("B-NONE", func(*herald.Broadcast) error { return nil })
	_, checks["update broadcast and run"] = s.UpdateBroadcastRun("B-NONE", func(*herald.Broadcast, *herald.Run) error { return nil })
	checks["delete broadcast"] = s.DeleteBroadcast("B-NONE")
	_, checks["run"] = s.Run("B-NONE/1")
	_, checks["bad run id"] = s.Run("nonsense")
	_, checks["update run"] = s.UpdateRun("B-NONE/1", func(*herald.Run) error { return nil })
	_, checks["deliveries"] = s.Deliveries("B-NONE/1", "", 0, 10)
	_, checks["pending"] = s.PendingDeliveries("B-NONE/1", herald.LINE, 0, 10)
	_, checks["in flight"] = s.InFlight("B-NONE/1")
	_, checks["timeline"] = s.RunTimeline("B-NONE/1")
	checks["add deliveries"] = s.AddDeliveries("B-NONE/1", []herald.Delivery{{Seq: 1}})
	checks["record outcomes"] = s.RecordOutcomes("B-NONE/1", []herald.Delivery{{Seq: 1, Outcome: herald.Sent}})
	checks["create run"] = s.CreateRun(&herald.Run{BroadcastID: "B-NONE"})
	for what, err := range checks {
		if !errors.Is(err, herald.ErrNotFound) {
			t.Errorf("%s: err = %v, want ErrNotFound", what, err)
		} else if !strings.HasPrefix(err.Error(), "storage: ") {
			t.Errorf("%s: error %q lacks the storage prefix", what, err)
		}
	}
}
