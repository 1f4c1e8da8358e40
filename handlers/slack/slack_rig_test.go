package slack

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
	"github.com/heraldbot/herald/handlers/internal/flowsrig"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

const (
	channel = "C0HERALD"
	alice   = "U0ALICE"
	bob     = "U0BOB"
	mallory = "U0MALLORY"
)

// rig is a Slack workspace over the fake Web API and Socket Mode, with
// the real slack-go clients and the real flows engine.
type rig struct {
	t     *testing.T
	fake  *platformtest.Slack
	api   *httptest.Server
	h     *Handler
	store *storage.Store
	ts    int
}

// newRig starts the rig; tune changes the handler's options (and may set
// up the fake before anything connects).
func newRig(t *testing.T, tune ...func(*Options, *platformtest.Slack)) *rig {
	t.Helper()
	return newRigWith(t, nil, tune...)
}

// newRigWith is newRig with the flows engine's config changed by flowsTune
// (nil: as flowsrig makes it).
func newRigWith(t *testing.T, flowsTune func(*flows.Config), tune ...func(*Options, *platformtest.Slack)) *rig {
	t.Helper()
	fake := platformtest.NewSlack(nil)
	api := httptest.NewServer(fake)
	fake.AddChannel(platformtest.SlackChannel{ID: channel, Name: "herald-admins"})
	acc := adminchat.AccessByFrontend{}
	var tweaks []func(*flows.Config)
	if flowsTune != nil {
		tweaks = append(tweaks, flowsTune)
	}
	e, store, cat := flowsrig.New(t, acc, tweaks...)
	opts := Options{BotToken: "xoxb-test", AppToken: "xapp-test", APIURL: api.URL + "/api/", Common: adminchat.Common{Flows: e, Audit: store, Catalog: cat},
		Admins: store, AllowedUsers: []string{alice, bob}, AllowedChannels: []string{channel}}
	for _, f := range tune {
		f(&opts, fake)
	}
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	acc[Frontend] = h
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { _ = h.RunSocketMode(ctx) })
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	defer wcancel()
	if err := fake.WaitConnected(wctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		_ = h.Close(context.Background())
		fake.Close()
		api.Close()
	})
	return &rig{t: t, fake: fake, api: api, h: h, store: store, ts: 100}
}

// push sends an envelope, waits for its ack and for the work it queued.
func (r *rig) push(typ string, payload any) {
	r.t.Helper()
	id := r.fake.PushEnvelope(typ, payload)
	r.waitAck(id)
}

// waitAck waits for the envelopes' acks, then for the work they queued
// (queued before the ack, so Wait never races a late enqueue).
func (r *rig) waitAck(ids ...string) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, id := range ids {
		if _, err := r.fake.WaitAck(ctx, id); err != nil {
			r.t.Fatalf("envelope %s never acknowledged: %v", id, err)
		}
	}
	r.h.queue.Wait()
}

func (r *rig) slash(user, text string) {
	r.push("slash_commands", map[string]any{"command": "/herald", "text": text, "user_id": user, "user_name": user,
		"channel_id": channel, "team_id": "T0FAKE001", "trigger_id": "tr-" + user})
}

// reply is a message by user in thread.
func (r *rig) reply(user, thread, text string) {
	r.t.Helper()
	r.ts++
	id := r.fake.PushEvent(map[string]any{"type": "message", "channel": channel, "channel_type": "channel", "user": user,
		"text": text, "ts": "1700000100." + itoa(r.ts), "thread_ts": thread, "parent_user_id": "U0FAKEBOT"})
	r.waitAck(id)
}

// press taps the button with value on message m.
func (r *rig) press(user string, m platformtest.SlackMessage, value string) {
	r.t.Helper()
	r.sent(r.fake.PushButton(user, m, value))
}

// sent waits for a pushed interaction (see platformtest's Push…) and for
// the work it queued.
func (r *rig) sent(id string, err error) {
	r.t.Helper()
	if err != nil {
		r.t.Fatal(err)
	}
	r.waitAck(id)
}

// last is the newest message (ephemeral included) whose text or blocks
// contain want.
func (r *rig) last(want string) platformtest.SlackMessage {
	r.t.Helper()
	return flowsrig.Newest(r.t, r.fake.Messages(channel), want, "the channel",
		func(m platformtest.SlackMessage) []string { return []string{m.Text, m.Blocks} })
}

func (r *rig) message(ts string) platformtest.SlackMessage {
	m, ok := r.fake.Message(channel, ts)
	if !ok {
		r.t.Fatalf("message %s is gone", ts)
	}
	return m
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
