package storagetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

func subscribersAudience(t *testing.T, o Opener) {
	t.Run("AudienceAnswersMatchTheRecords", func(t *testing.T) { audienceMatchesRecords(t, o) })
	t.Run("EachRecipientStopsOnError", func(t *testing.T) {
		c := crowd.Clock()
		s := o.Open(t, c.Now)
		crowd.Seed(t, s)
		stop := errors.New("stop")
		n := 0
		err := s.EachRecipient(&herald.Audience{Channels: []herald.Platform{herald.LINE}}, c.Now(), func(*herald.Subscriber) error {
			n++
			if n == 1500 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || n != 1500 {
			t.Errorf("err %v after %d", err, n)
		}
	})
	t.Run("SampleStreamsTheSamePeopleAfterReopen", func(t *testing.T) { sampleAfterReopen(t, o) })
}

func audienceMatchesRecords(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	crowd.Seed(t, s)
	now := c.Now()
	audiences := map[string]*herald.Audience{
		"everyone":       {Channels: []herald.Platform{herald.LINE, herald.Telegram}},
		"line vip":       {Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
		"vip not tw":     {Channels: []herald.Platform{herald.LINE, herald.Telegram}, IncludeTags: []string{"vip"}, ExcludeTags: []string{"tw"}},
		"all of vip+tw":  {Channels: []herald.Platform{herald.Telegram}, IncludeTags: []string{"vip", "tw"}, TagMatch: herald.AllTags},
		"nobody matches": {Channels: []herald.Platform{herald.Messenger}},
	}
	check := func(s storage.Backend, when string) {
		for name, a := range audiences {
			want := crowd.Matching(t, s, a, now)
			cnt, err := s.Count(a, herald.Marketing, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint32
			var prev *herald.Subscriber
			err = s.EachRecipient(a, now, func(sub *herald.Subscriber) error {
				if prev != nil && prev != sub {
					t.Fatal("EachRecipient does not reuse its value")
				}
				prev = sub
				got = append(got, sub.Seq)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if cnt.Total != len(want) || !cmp.Equal(got, want) {
				t.Errorf("%s, %s: count %d, streamed %d, records say %d", when, name, cnt.Total, len(got), len(want))
			}
		}
	}
	check(s, "fresh")

	// Writes move the index with them: block some, untag others, delete one.
	keys := []herald.SubscriberKey{crowd.Key(herald.LINE, 10), crowd.Key(herald.Telegram, 15), crowd.Key(herald.LINE, 20)}
	if err := s.UpdateSubscribers(keys, func(i int, sub *herald.Subscriber, _ bool) error {
		switch i {
		case 0:
			sub.State = herald.Blocked
		case 1:
			sub.RemoveTags("vip")
		case 2:
			sub.AddTags("brand-new")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(crowd.Key(herald.LINE, 25)); err != nil {
		t.Fatal(err)
	}
	check(s, "after writes")
	if o.Reopen != nil {
		s = o.Reopen(t, s, c.Now)
		check(s, "after reopen")
	}

	tags := s.Tags()
	if len(tags) != 3 || tags[0].Tag != "tw" || tags[1].Tag != "vip" || tags[2] != (herald.TagCount{Tag: "brand-new", Count: 1}) {
		t.Errorf("Tags = %+v, want tw, vip, brand-new by count", tags)
	}
}

// A sample streams the same people before and after a restart (the index
// is rebuilt from the records): a run resumed after a crash picks whom it
// picked before, and a cap takes exactly its N.
func sampleAfterReopen(t *testing.T, o Opener) {
	if o.Reopen == nil {
		t.Skip("the backend cannot reopen")
	}
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	crowd.Seed(t, s)
	stream := func(a *herald.Audience) []string {
		t.Helper()
		var out []string
		if err := s.EachRecipient(a, c.Now(), func(sub *herald.Subscriber) error {
			out = append(out, sub.Key().String())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := []herald.Platform{herald.LINE, herald.Telegram}
	capped := &herald.Audience{Channels: all, Recipients: herald.Users, Sample: &herald.Sample{Max: 100, Seed: 5}}
	tenth := &herald.Audience{Channels: all, Recipients: herald.Users, Sample: &herald.Sample{Percent: 10, Seed: 5}}
	beforeCap, beforeTenth := stream(capped), stream(tenth)
	if len(beforeCap) != 100 || len(beforeTenth) < 200 || len(beforeTenth) > 320 {
		t.Fatalf("cap streamed %d (want 100), 10%% streamed %d of about 2,570", len(beforeCap), len(beforeTenth))
	}
	s = o.Reopen(t, s, c.Now)
	if diff := cmp.Diff(beforeCap, stream(capped)); diff != "" {
		t.Errorf("the cap picked others after a reopen (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeTenth, stream(tenth)); diff != "" {
		t.Errorf("the 10%% picked others after a reopen (-before +after):\n%s", diff)
	}
}

func subscribersMoves(t *testing.T, o Opener) {
	t.Run("MoveKeepsEverythingUnderTheNewID", func(t *testing.T) { moveKeepsEverything(t, o) })
	t.Run("MoveMergesAChatKnownUnderBothIDs", func(t *testing.T) { moveMerges(t, o) })
	t.Run("MoveOfAnUnknownChat", func(t *testing.T) {
		s := o.Open(t, nil)
		if _, err := s.MoveSubscriber(tgChat("-6001"), tgChat("-1006001")); !errors.Is(err, herald.ErrNotFound) {
			t.Errorf("moving an unknown chat: %v, want ErrNotFound", err)
		}
		if _, err := s.Subscriber(tgChat("-6001")); !errors.Is(err, herald.ErrNotFound) {
			t.Errorf("Subscriber of an unknown chat: %v, want ErrNotFound", err)
		}
		if _, err := s.MoveSubscriber(tgChat("-6001"), herald.SubscriberKey{Platform: herald.LINE, ID: "C1"}); err == nil {
			t.Error("a move across platforms was accepted")
		}
	})
	t.Run("MovesChain", func(t *testing.T) {
		s := o.Open(t, nil)
		putPeople(t, s, group("-7001", "Choir"))
		for _, m := range [][2]string{{"-7001", "-1007001"}, {"-1007001", "-2007001"}} {
			if _, err := s.MoveSubscriber(tgChat(m[0]), tgChat(m[1])); err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range []string{"-7001", "-1007001", "-2007001"} {
			if got, err := s.Subscriber(tgChat(id)); err != nil || got.ID != "-2007001" || got.Seq != 1 {
				t.Errorf("Subscriber(%s) = %s seq %d, %v; want the chat under its last ID", id, got.ID, got.Seq, err)
			}
		}
	})
}

func moveKeepsEverything(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	now := c.Now()
	g := group("-4001", "Hiking club", "vip", "hiking")
	g.Attributes = map[string]string{"city": "Taipei"}
	g.Timezone = "Asia/Taipei"
	putPeople(t, s, g, group("-4002", "Book club", "vip"))
	before, _ := s.Subscriber(tgChat("-4001"))

	moved, err := s.MoveSubscriber(tgChat("-4001"), tgChat("-1004001"))
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
	viaOld, err := s.Subscriber(tgChat("-4001"))
	if err != nil || viaOld.ID != "-1004001" || viaOld.Seq != before.Seq {
		t.Errorf("Subscriber(old) = %s seq %d, %v; want the moved record", viaOld.ID, viaOld.Seq, err)
	}
	vip := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups, IncludeTags: []string{"vip"}}
	if got := recipientIDs(t, s, vip, now); !cmp.Equal(got, []string{"-1004001", "-4002"}) {
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
	if _, err := s.UpdateSubscriber(tgChat("-1004001"), func(sub *herald.Subscriber, created bool) error {
		if created {
			t.Error("the new ID made a new subscriber")
		}
		sub.AddTags("moved")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	again, err := s.MoveSubscriber(tgChat("-4001"), tgChat("-1004001"))
	if err != nil || !again.HasTag("moved") {
		t.Errorf("second move = %+v, %v; want the moved record", again, err)
	}
	if o.Reopen == nil {
		return
	}
	// Everything survives a restart: the index is rebuilt from the records.
	s = o.Reopen(t, s, c.Now)
	if got := recipientIDs(t, s, vip, now); !cmp.Equal(got, []string{"-1004001", "-4002"}) {
		t.Errorf("vip audience after reopening = %v", got)
	}
	if sub, err := s.Subscriber(tgChat("-4001")); err != nil || sub.ID != "-1004001" {
		t.Errorf("Subscriber(old) after reopening = %s, %v", sub.ID, err)
	}
}

func moveMerges(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	now := c.Now()
	old := group("-5001", "Runners", "vip")
	old.Attributes = map[string]string{"city": "Tainan", "tier": "gold"}
	old.State = herald.Unsubscribed // the group said /stop before it was upgraded
	// Someone wrote in the supergroup before Herald heard of the migration.
	cur := group("-1005001", "Runners!", "new")
	cur.Attributes = map[string]string{"city": "Kaohsiung"}
	cur.FirstSeen = time.Date(2026, 2, 25, 0, 0, 0, 0, time.UTC)
	cur.LastInteraction = time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC)
	both := []herald.Subscriber{old, cur}
	putPeople(t, s, both...)
	curSeq := both[1].Seq

	m, err := s.MoveSubscriber(tgChat("-5001"), tgChat("-1005001"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Seq != curSeq || m.Name != "Runners!" || !cmp.Equal(m.Tags, []string{"new", "vip"}) ||
		!cmp.Equal(m.Attributes, map[string]string{"city": "Kaohsiung", "tier": "gold"}) ||
		!m.FirstSeen.Equal(old.FirstSeen) || !m.LastInteraction.Equal(cur.LastInteraction) || m.State != herald.Unsubscribed {
		t.Errorf("merged = %+v", m)
	}
	everyone := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups}
	if got := recipientIDs(t, s, everyone, now); len(got) != 0 {
		t.Errorf("the group said stop, yet the audience has %v", got)
	}
	if _, err := s.UpdateSubscriber(tgChat("-1005001"), func(sub *herald.Subscriber, _ bool) error {
		sub.State = herald.Subscribed
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := recipientIDs(t, s, everyone, now); !cmp.Equal(got, []string{"-1005001"}) {
		t.Errorf("audience after re-subscribing = %v, want the group once under its new ID", got)
	}
	if sub, err := s.Subscriber(tgChat("-5001")); err != nil || sub.Seq != curSeq {
		t.Errorf("Subscriber(old) = seq %d, %v; want the merged record (seq %d)", sub.Seq, err, curSeq)
	}
	if n, _ := s.Count(everyone, herald.Marketing, now); n.Total != 1 {
		t.Errorf("the merged group counts %d, want 1", n.Total)
	}
}
