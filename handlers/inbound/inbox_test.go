package inbound

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/internal/storerig"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func newInbox(t *testing.T, store Store) *Inbox {
	t.Helper()
	in := New(store, Options{Now: func() time.Time { return t0 }})
	t.Cleanup(func() { _ = in.Close(context.Background()) })
	return in
}

func lineKey(id string) herald.SubscriberKey {
	return herald.SubscriberKey{Platform: herald.LINE, ID: id}
}

func TestSubscribeMessageStopLifecycle(t *testing.T) {
	store := storerig.Open(t)
	in := newInbox(t, store)
	ctx := context.Background()
	key := lineKey("U1")

	if _, err := in.Record(ctx, Event{Kind: Subscribe, Key: key, At: t0, Locale: "zh-TW"}); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	res, err := in.Record(ctx, Event{Kind: Message, Key: key, At: later, Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Reply != "" || res[0].Kind != Message {
		t.Errorf("an ordinary message was answered %q as %q", res[0].Reply, res[0].Kind)
	}
	sub, _ := store.Subscriber(key)
	if sub.State != herald.Subscribed || !sub.LastInteraction.Equal(later) || !sub.FirstSeen.Equal(t0) || sub.Locale != "zh-TW" {
		t.Errorf("after follow + message: %+v", sub)
	}

	res, err = in.Record(ctx, Event{Kind: Message, Key: key, Text: "STOP"})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Kind != Unsubscribe || res[0].Reply != DefaultKeywords()[1].StopReply {
		t.Errorf("STOP from a zh-TW user: kind %q, reply %q; want unsubscribe confirmed in Chinese", res[0].Kind, res[0].Reply)
	}
	if sub, _ := store.Subscriber(key); sub.State != herald.Unsubscribed {
		t.Errorf("after STOP the state is %q", sub.State)
	}
	// Writing again does not undo a stop; only a start keyword or follow does.
	_, _ = in.Record(ctx, Event{Kind: Message, Key: key, Text: "hi again"})
	if sub, _ := store.Subscriber(key); sub.State != herald.Unsubscribed {
		t.Errorf("a plain message re-subscribed someone who said stop: %q", sub.State)
	}
	res, _ = in.Record(ctx, Event{Kind: Message, Key: key, Text: "訂閱"})
	if sub, _ := store.Subscriber(key); sub.State != herald.Subscribed || res[0].Reply == "" {
		t.Errorf("訂閱 did not re-subscribe with a confirmation: %q, %q", sub.State, res[0].Reply)
	}
}

func TestBlockedUserWritingAgainIsReachable(t *testing.T) {
	store := storerig.Open(t)
	in := newInbox(t, store)
	key := herald.SubscriberKey{Platform: herald.Telegram, ID: "42"}
	_, _ = in.Record(context.Background(), Event{Kind: Subscribe, Key: key}, Event{Kind: Blocked, Key: key})
	if sub, _ := store.Subscriber(key); sub.State != herald.Blocked {
		t.Fatalf("state after block = %q", sub.State)
	}
	_, _ = in.Record(context.Background(), Event{Kind: Message, Key: key, Text: "back"})
	if sub, _ := store.Subscriber(key); sub.State != herald.Subscribed {
		t.Errorf("state after writing again = %q, want subscribed", sub.State)
	}
}

func TestGroupJoinAndLeave(t *testing.T) {
	store := storerig.Open(t)
	in := newInbox(t, store)
	key := lineKey("C1")
	_, _ = in.Record(context.Background(), Event{Kind: Joined, Key: key, Group: true, Name: "Fans"})
	sub, err := store.Subscriber(key)
	if err != nil || sub.Kind != herald.KindGroup || sub.State != herald.Subscribed || sub.Name != "Fans" {
		t.Fatalf("joined group: %+v, %v", sub, err)
	}
	_, _ = in.Record(context.Background(), Event{Kind: Left, Key: key, Group: true})
	if sub, _ := store.Subscriber(key); sub.State == herald.Subscribed {
		t.Error("a group the bot left is still a recipient")
	}
}

func TestTapIsCountedAndItsActionsApplied(t *testing.T) {
	store := storerig.Open(t)
	b := herald.Broadcast{Name: "Sale", Status: herald.StatusCompleted, Content: herald.Content{Kind: herald.TextContent, Text: "Hi",
		Buttons: []herald.Button{
			{ID: "yes", Label: "Yes", Kind: herald.ActionButton, AddTags: []string{"vip"}, RemoveTags: []string{"cold"},
				SetAttrs: map[string]string{"interest": "sale"}},
			{ID: "web", Label: "Site", Kind: herald.URLButton, URL: "https://example.org"},
		}}}
	if err := store.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	in := newInbox(t, store)
	key := lineKey("U7")
	_, _ = in.Record(context.Background(), Event{Kind: Subscribe, Key: key})
	_, _ = store.UpdateSubscriber(key, func(s *herald.Subscriber, _ bool) error { s.SetTags([]string{"cold"}); return nil })

	payload := herald.EncodePostback(b.ID, "yes")
	for range 2 {
		res, err := in.Record(context.Background(), Event{Kind: Tap, Key: key, Postback: payload})
		if err != nil || res[0].Tap == nil {
			t.Fatalf("tap not resolved: %+v, %v", res, err)
		}
	}
	_, _ = in.Record(context.Background(), Event{Kind: Tap, Key: lineKey("U8"), Postback: payload, CountOnly: true})
	// Forged or stale payloads are not counted.
	_, _ = in.Record(context.Background(), Event{Kind: Tap, Key: key, Postback: herald.EncodePostback(b.ID, "web")},
		Event{Kind: Tap, Key: key, Postback: herald.EncodePostback("B-ZZZZ", "yes")})

	sub, _ := store.Subscriber(key)
	if !sub.HasTag("vip") || sub.HasTag("cold") || sub.Attributes["interest"] != "sale" {
		t.Errorf("tap actions not applied: tags %v, attributes %v", sub.Tags, sub.Attributes)
	}
	if _, err := store.Subscriber(lineKey("U8")); err == nil {
		t.Error("a count-only tap made the group member a subscriber")
	}
	taps, _ := store.Taps(b.ID)
	if len(taps) != 1 || taps[0].ButtonID != "yes" || taps[0].Taps != 3 || taps[0].Unique != 2 {
		t.Errorf("taps = %+v, want button yes with 3 taps by 2 people", taps)
	}
}

// TestBurstOfFollowsLosesNone is the webhook burst: 10,000 follows from
// 10,000 goroutines, each returning only once durable.
func TestBurstOfFollowsLosesNone(t *testing.T) {
	store := storerig.Open(t)
	in := newInbox(t, store)
	const n = 10_000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			if _, err := in.Record(context.Background(), Event{Kind: Subscribe, Key: lineKey(fmt.Sprintf("U%05d", i))}); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	c, err := store.Count(&herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users}, herald.Marketing, t0)
	if err != nil || c.Total != n {
		t.Fatalf("after %d acknowledged follows the audience has %d (%v)", n, c.Total, err)
	}
}

func TestProfileNeverRecreatesAnErasedSubscriber(t *testing.T) {
	store := storerig.Open(t)
	in := newInbox(t, store)
	key := lineKey("U9")
	_, _ = in.Record(context.Background(), Event{Kind: Subscribe, Key: key})
	if err := in.UpdateProfile(context.Background(), key, "Mei", "zh-TW"); err != nil {
		t.Fatal(err)
	}
	_, _ = in.Record(context.Background(), Event{Kind: Message, Key: lineKey("U10")}) // commits after the profile
	if sub, _ := store.Subscriber(key); sub.Name != "Mei" || sub.Locale != "zh-TW" {
		t.Errorf("profile not saved: %+v", sub)
	}
	_ = store.DeleteSubscriber(key)
	if err := in.UpdateProfile(context.Background(), key, "Mei", "zh-TW"); err != nil {
		t.Fatal(err)
	}
	if err := in.Close(context.Background()); err != nil { // commits what is queued
		t.Fatal(err)
	}
	if _, err := store.Subscriber(key); err == nil {
		t.Error("a late profile brought an erased subscriber back")
	}
}

func TestRecordAfterCloseFails(t *testing.T) {
	in := New(storerig.Open(t), Options{})
	if err := in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Record(context.Background(), Event{Kind: Subscribe, Key: lineKey("U1")}); err == nil {
		t.Error("Record after Close succeeded")
	}
}
