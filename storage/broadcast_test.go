package storage

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func newBroadcast(t *testing.T, s *Store, name string) herald.Broadcast {
	t.Helper()
	b := herald.Broadcast{Name: name, Origin: herald.Origin{Frontend: "slack", ChatID: "C1", UserID: "U1"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
		Content:  herald.Content{Text: "Hello"}}
	if err := s.CreateBroadcast(&b); err != nil {
		t.Fatalf("create %q: %v", name, err)
	}
	return b
}

func TestBroadcastRoundTripSurvivesReopen(t *testing.T) {
	s, c := openTest(t)
	b := newBroadcast(t, s, "Spring sale")
	if herald.NormalizeBroadcastID(b.ID) != b.ID || b.Status != herald.StatusDraft || !b.CreatedAt.Equal(c.Now()) {
		t.Fatalf("created %+v", b)
	}
	s = reopen(t, s, c)
	got, err := s.Broadcast(b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, got); diff != "" {
		t.Errorf("after reopen (-want +got):\n%s", diff)
	}
}

func TestBroadcastNamesUniqueAmongUnfinished(t *testing.T) {
	s, _ := openTest(t)
	a := newBroadcast(t, s, "Spring sale")
	dup := herald.Broadcast{Name: "  SPRING sale "}
	if err := s.CreateBroadcast(&dup); !errors.Is(err, herald.ErrConflict) {
		t.Fatalf("duplicate name: err = %v, want ErrConflict", err)
	}
	other := newBroadcast(t, s, "Autumn")
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

func TestUpdateBroadcastChecksTransitions(t *testing.T) {
	s, c := openTest(t)
	b := newBroadcast(t, s, "Launch")
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
}

func TestListBroadcastsNewestFirstFilteredAndPaged(t *testing.T) {
	s, c := openTest(t)
	var ids []string
	for i, name := range []string{"one", "two", "three", "four", "five"} {
		c.Add(time.Minute)
		b := newBroadcast(t, s, name)
		if i%2 == 1 {
			if _, err := s.UpdateBroadcast(b.ID, func(b *herald.Broadcast) error { b.Status = herald.StatusScheduled; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		ids = append([]string{b.ID}, ids...)
	}
	names := func(bs []herald.Broadcast) string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Name)
		}
		return strings.Join(out, ",")
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
	}
	for _, tc := range cases {
		bs, err := s.ListBroadcasts(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(bs); got != tc.want {
			t.Errorf("%+v: got %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestFindBroadcasts(t *testing.T) {
	s, c := openTest(t)
	sale := newBroadcast(t, s, "Spring sale")
	c.Add(time.Minute)
	newBroadcast(t, s, "Summer SALE")
	c.Add(time.Minute)
	other := newBroadcast(t, s, "Newsletter")
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

func TestBroadcastIDsAreFreshAndTypeable(t *testing.T) {
	s, _ := openTest(t)
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

func TestDeleteBroadcastCascades(t *testing.T) {
	s, _ := openTest(t)
	keep := newBroadcast(t, s, "keep")
	gone := newBroadcast(t, s, "gone")
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

func TestBroadcastNameFreedByRenameAndDelete(t *testing.T) {
	s, c := openTest(t)
	a := newBroadcast(t, s, "Winter promo")
	if _, err := s.UpdateBroadcast(a.ID, func(b *herald.Broadcast) error { b.Name = "Winter promo v2"; return nil }); err != nil {
		t.Fatal(err)
	}
	newBroadcast(t, s, "winter PROMO") // the old name is free after the rename
	if err := s.DeleteBroadcast(a.ID); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	newBroadcast(t, s, "Winter promo v2") // and the new one after the delete
}
