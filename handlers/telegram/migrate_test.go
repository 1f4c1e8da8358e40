package telegram

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-telegram/bot"
	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
)

// seedGroups stores two groups the bot is in: a tagged, active one and
// one that said /stop.
func seedGroups(t *testing.T, r *rig) {
	t.Helper()
	seen := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	groups := []herald.Subscriber{
		{Platform: herald.Telegram, ID: "-4001", Kind: herald.KindGroup, Name: "Hiking club", State: herald.Subscribed,
			Tags: []string{"hiking", "vip"}, Attributes: map[string]string{"city": "Taipei"}, FirstSeen: seen, LastInteraction: seen},
		{Platform: herald.Telegram, ID: "-4002", Kind: herald.KindGroup, Name: "Quiet club", State: herald.Unsubscribed,
			FirstSeen: seen, LastInteraction: seen},
	}
	if err := r.store.PutSubscribers(groups); err != nil {
		t.Fatal(err)
	}
}

// groupsReached lists the Telegram groups a broadcast to all groups would
// snapshot now.
func groupsReached(t *testing.T, r *rig) []string {
	t.Helper()
	var ids []string
	a := &herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Groups}
	if err := r.store.EachRecipient(a, time.Now(), func(sub *herald.Subscriber) error {
		ids = append(ids, sub.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ids
}

// checkMoved asserts what a user of the groups would notice after both
// groups became supergroups: the same groups, under their new IDs, with
// what Herald knew about them.
func checkMoved(t *testing.T, r *rig) {
	t.Helper()
	g := r.subscriber(t, -1004001)
	if g.Kind != herald.KindGroup || g.Name != "Hiking club" || g.State != herald.Subscribed ||
		!cmp.Equal(g.Tags, []string{"hiking", "vip"}) || g.Attributes["city"] != "Taipei" ||
		!g.FirstSeen.Equal(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)) || !g.LastInteraction.After(g.FirstSeen) {
		t.Errorf("moved group = %+v", g)
	}
	if old := r.subscriber(t, -4001); old.Seq != g.Seq {
		t.Errorf("the old ID finds seq %d, want the moved record (seq %d)", old.Seq, g.Seq)
	}
	if q := r.subscriber(t, -1004002); q.State != herald.Unsubscribed {
		t.Errorf("a group that said /stop is %q after moving, want unsubscribed", q.State)
	}
	if got := groupsReached(t, r); !cmp.Equal(got, []string{"-1004001"}) {
		t.Errorf("a broadcast to groups would reach %v, want only the moved group under its new ID", got)
	}
}

func pushMigration(t *testing.T, r *rig, old, new int64, title string) {
	t.Helper()
	r.fake.AddChat(platformtest.TelegramChat{ID: old, Type: "group", Title: title})
	r.fake.MigrateGroup(old, new)
	for _, u := range r.fake.MigrationUpdates(old, new, 9) {
		if _, err := r.fake.PushUpdate(token, u); err != nil {
			t.Fatal(err)
		}
	}
}

func TestGroupMigrationThroughThePoller(t *testing.T) {
	r := newRig(t, rigOptions{})
	seedGroups(t, r)
	// A message in the old group comes in the same batch, before the
	// migration: it must not bring the old ID back.
	r.fake.PushUpdate(token, message(obj{"id": -4001, "type": "group", "title": "Hiking club"}, user(9, "en"), "see you"))
	pushMigration(t, r, -4001, -1004001, "Hiking club")
	pushMigration(t, r, -4002, -1004002, "Quiet club")
	r.poll(t)
	checkMoved(t, r)
}

func TestGroupMigrationThroughTheWebhook(t *testing.T) {
	r := newRig(t, rigOptions{secret: "s3cret"})
	seedGroups(t, r)
	srv := httptest.NewServer(r.h.WebhookHandler())
	t.Cleanup(srv.Close)
	if _, err := r.h.bot.SetWebhook(context.Background(), &bot.SetWebhookParams{URL: srv.URL, SecretToken: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	pushMigration(t, r, -4001, -1004001, "Hiking club")
	pushMigration(t, r, -4002, -1004002, "Quiet club")
	if n := r.fake.Pending(token); n != 0 {
		t.Fatalf("%d migration updates not accepted by the webhook", n)
	}
	if err := r.inbox.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	checkMoved(t, r)
}

// An admin group that becomes a supergroup stays an admin chat under its
// new ID: it must never turn into a broadcast recipient.
func TestAdminGroupMigrationStaysAdmin(t *testing.T) {
	spy := &adminSpy{}
	r := newRig(t, rigOptions{adminChats: []int64{-5000}, admin: spy})
	pushMigration(t, r, -5000, -1005000, "Staff")
	r.fake.PushUpdate(token, message(obj{"id": -1005000, "type": "supergroup", "title": "Staff"}, user(1, "en"), "/new"))
	r.poll(t)
	for _, id := range []string{"-5000", "-1005000"} {
		if _, err := r.store.Subscriber(herald.SubscriberKey{Platform: herald.Telegram, ID: id}); err == nil {
			t.Errorf("admin group %s became a broadcast recipient", id)
		}
	}
	if len(spy.upds) != 3 {
		t.Errorf("the admin side got %d updates, want all 3 (both migration messages and the command)", len(spy.upds))
	}
}
