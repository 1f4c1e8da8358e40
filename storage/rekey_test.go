package storage

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func tgGroup(id, name string, tags ...string) herald.Subscriber {
	return herald.Subscriber{Platform: herald.Telegram, ID: id, Kind: herald.KindGroup, Name: name,
		Tags: herald.NormalizeTags(tags), State: herald.Subscribed,
		FirstSeen:       time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		LastInteraction: time.Date(2026, 2, 20, 0, 0, 0, 0, time.UTC)}
}

func tgKey(id string) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: herald.Telegram, ID: id}
}

// recipients lists the IDs an audience resolves to, through the index and
// the records (what a run's snapshot sees).
func recipients(t *testing.T, s *Store, a *herald.Audience, now time.Time) []string {
	t.Helper()
	var ids []string
	if err := s.EachRecipient(a, now, func(sub *herald.Subscriber) error {
		ids = append(ids, sub.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestMoveSubscriberKeepsEverythingUnderTheNewID(t *testing.T) {
	s, c := openTest(t)
	now := c.Now()
	g := tgGroup("-4001", "Hiking club", "vip", "hiking")
	g.Attributes = map[string]string{"city": "Taipei"}
	g.Timezone = "Asia/Taipei"
	other := tgGroup("-4002", "Book club", "vip")
	if err := s.PutSubscribers([]herald.Subscriber{g, other}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Subscriber(tgKey("-4001"))

	moved, err := s.MoveSubscriber(tgKey("-4001"), tgKey("-1004001"))
	if err != nil {
		t.Fatal(err)
	}
	want := before
	want.ID = "-1004001"
	if diff := cmp.Diff(want, moved); diff != "" {
		t.Errorf("moved subscriber (-want +got):\n%s", diff)
	}
	// The old ID still finds the chat (a run's pending delivery), now under
	// its new ID; the record is the same one (same Seq).
	viaOld, err := s.Subscriber(tgKey("-4001"))
	if err != nil || viaOld.ID != "-1004001" || viaOld.Seq != before.Seq {
		t.Errorf("Subscriber(old) = %s seq %d, %v; want the moved record", viaOld.ID, viaOld.Seq, err)
	}
	vip := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups, IncludeTags: []string{"vip"}}
	if got := recipients(t, s, vip, now); !cmp.Equal(got, []string{"-1004001", "-4002"}) {
		t.Errorf("vip audience after the move = %v", got)
	}
	city := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups,
		Attributes: []herald.AttrCondition{{Key: "city", Op: herald.AttrEq, Value: "Taipei"}}}
	if cnt, _ := s.Count(city, herald.Marketing, now); cnt.Total != 1 {
		t.Errorf("city=Taipei counts %d after the move, want 1", cnt.Total)
	}
	byID := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups, SelectedPlatform: herald.Telegram, Selected: []string{"-1004001"}}
	if cnt, _ := s.Count(byID, herald.Marketing, now); cnt.Total != 1 {
		t.Errorf("a selected list naming the new ID counts %d, want 1", cnt.Total)
	}

	// Writes under the new ID change the moved record; moving again is a no-op.
	if _, err := s.UpdateSubscriber(tgKey("-1004001"), func(sub *herald.Subscriber, created bool) error {
		if created {
			t.Error("the new ID made a new subscriber")
		}
		sub.AddTags("moved")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	again, err := s.MoveSubscriber(tgKey("-4001"), tgKey("-1004001"))
	if err != nil || !again.HasTag("moved") {
		t.Errorf("second move = %+v, %v; want the moved record", again, err)
	}
	// Everything survives a restart: the index is rebuilt from the records.
	s = reopen(t, s, c)
	if got := recipients(t, s, vip, now); !cmp.Equal(got, []string{"-1004001", "-4002"}) {
		t.Errorf("vip audience after reopening = %v", got)
	}
	if sub, err := s.Subscriber(tgKey("-4001")); err != nil || sub.ID != "-1004001" {
		t.Errorf("Subscriber(old) after reopening = %s, %v", sub.ID, err)
	}
}

func TestMoveSubscriberMergesAChatKnownUnderBothIDs(t *testing.T) {
	s, c := openTest(t)
	now := c.Now()
	old := tgGroup("-5001", "Runners", "vip")
	old.Attributes = map[string]string{"city": "Tainan", "tier": "gold"}
	old.State = herald.Unsubscribed // the group said /stop before it was upgraded
	// Someone wrote in the supergroup before Herald heard of the migration.
	cur := tgGroup("-1005001", "Runners!", "new")
	cur.Attributes = map[string]string{"city": "Kaohsiung"}
	cur.FirstSeen = time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)
	cur.LastInteraction = time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC)
	both := []herald.Subscriber{old, cur}
	if err := s.PutSubscribers(both); err != nil {
		t.Fatal(err)
	}
	curSeq := both[1].Seq

	m, err := s.MoveSubscriber(tgKey("-5001"), tgKey("-1005001"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != curSeq || m.Name != "Runners!" || !cmp.Equal(m.Tags, []string{"new", "vip"}) ||
		!cmp.Equal(m.Attributes, map[string]string{"city": "Kaohsiung", "tier": "gold"}) ||
		!m.FirstSeen.Equal(old.FirstSeen) || !m.LastInteraction.Equal(cur.LastInteraction) || m.State != herald.Unsubscribed {
		t.Errorf("merged = %+v", m)
	}
	everyone := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups}
	if got := recipients(t, s, everyone, now); len(got) != 0 {
		t.Errorf("the group said stop, yet the audience has %v", got)
	}
	if _, err := s.UpdateSubscriber(tgKey("-1005001"), func(sub *herald.Subscriber, _ bool) error {
		sub.State = herald.Subscribed
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := recipients(t, s, everyone, now); !cmp.Equal(got, []string{"-1005001"}) {
		t.Errorf("audience after re-subscribing = %v, want the group once under its new ID", got)
	}
	if sub, err := s.Subscriber(tgKey("-5001")); err != nil || sub.Seq != curSeq {
		t.Errorf("Subscriber(old) = seq %d, %v; want the merged record (seq %d)", sub.Seq, err, curSeq)
	}
}

func TestMoveSubscriberOfAnUnknownChat(t *testing.T) {
	s, _ := openTest(t)
	if _, err := s.MoveSubscriber(tgKey("-6001"), tgKey("-1006001")); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("moving an unknown chat: %v, want ErrNotFound", err)
	}
	if _, err := s.Subscriber(tgKey("-6001")); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("Subscriber of an unknown chat: %v, want ErrNotFound", err)
	}
	if _, err := s.MoveSubscriber(tgKey("-6001"), herald.SubscriberKey{Platform: herald.LINE, ID: "C1"}); err == nil {
		t.Error("a move across platforms was accepted")
	}
}
