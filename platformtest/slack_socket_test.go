package platformtest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// runSocketMode starts a real socketmode client against the fixture and
// returns its events; it stops when the test ends.
func runSocketMode(t *testing.T, f slackFixture) *socketmode.Client {
	t.Helper()
	client := socketmode.New(f.api)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = client.RunContext(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return client
}

// nextEvent returns the next event of type typ, skipping connection events.
func nextEvent(t *testing.T, c *socketmode.Client, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e := <-c.Events:
			if e.Type == typ {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event", typ)
		}
	}
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSlackSocketModeSlashCommandAndAck(t *testing.T) {
	for _, mount := range []string{"", "/slack"} {
		t.Run("mount="+mount, func(t *testing.T) {
			f := newSlackFixture(t, mount)
			client := runSocketMode(t, f)
			if err := f.fake.WaitConnected(waitCtx(t)); err != nil {
				t.Fatal(err)
			}
			nextEvent(t, client, socketmode.EventTypeHello)
			id := f.fake.PushEnvelope("slash_commands", map[string]any{"command": "/herald", "text": "new",
				"user_id": "U0ANN", "channel_id": "C0ADMIN", "team_id": slackTeamID, "trigger_id": "111.222.abc"})
			e := nextEvent(t, client, socketmode.EventTypeSlashCommand)
			cmd, ok := e.Data.(slack.SlashCommand)
			if !ok || cmd.Command != "/herald" || cmd.Text != "new" || cmd.UserID != "U0ANN" || e.Request.EnvelopeID != id {
				t.Fatalf("slash command = %+v (envelope %q, want %q)", e.Data, e.Request.EnvelopeID, id)
			}
			if !e.Request.AcceptsResponsePayload {
				t.Errorf("slash command envelopes accept a response payload")
			}
			client.Ack(*e.Request, map[string]any{"text": "Starting a new broadcast"})
			payload, err := f.fake.WaitAck(waitCtx(t), id)
			if err != nil || string(payload) != `{"text":"Starting a new broadcast"}` {
				t.Errorf("ack payload = %s, %v", payload, err)
			}
			// The command's trigger opens a modal, as a handler would.
			modal := slack.ModalViewRequest{Type: slack.VTModal, Title: slack.NewTextBlockObject("plain_text", "New", false, false)}
			if _, err := f.api.OpenViewContext(context.Background(), "111.222.abc", modal); err != nil {
				t.Errorf("views.open with the pushed trigger: %v", err)
			}
		})
	}
}

func TestSlackSocketModeEventsInteractionsAndQueue(t *testing.T) {
	f := newSlackFixture(t, "")
	// Pushed before anyone connects: delivered after the next hello.
	queued := f.fake.PushEvent(map[string]any{"type": "app_mention", "user": "U0ANN", "text": "<@U0FAKEBOT> status",
		"channel": "C0ADMIN", "ts": "1700000000.000100"})
	client := runSocketMode(t, f)
	e := nextEvent(t, client, socketmode.EventTypeEventsAPI)
	outer, ok := e.Data.(slackevents.EventsAPIEvent)
	if !ok || e.Request.EnvelopeID != queued || e.Request.AcceptsResponsePayload {
		t.Fatalf("events_api envelope = %+v", e.Request)
	}
	mention, ok := outer.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.Text != "<@U0FAKEBOT> status" || mention.Channel != "C0ADMIN" {
		t.Errorf("inner event = %#v", outer.InnerEvent.Data)
	}
	client.Ack(*e.Request)

	id := f.fake.PushEnvelope("interactive", json.RawMessage(`{"type":"block_actions","trigger_id":"9.9.9",
		"user":{"id":"U0ANN"},"channel":{"id":"C0ADMIN"},"container":{"type":"message","message_ts":"1.1"},
		"actions":[{"type":"button","action_id":"pause","block_id":"ctl","value":"B-1"}]}`))
	e = nextEvent(t, client, socketmode.EventTypeInteractive)
	cb, ok := e.Data.(slack.InteractionCallback)
	if !ok || cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) != 1 ||
		cb.ActionCallback.BlockActions[0].ActionID != "pause" {
		t.Fatalf("interaction = %+v", e.Data)
	}
	client.Ack(*e.Request)
	if _, err := f.fake.WaitAck(waitCtx(t), id); err != nil {
		t.Fatal(err)
	}
	acks := f.fake.Acks()
	if _, ok := acks[queued]; !ok || len(acks) != 2 || len(acks[id]) != 0 {
		t.Errorf("acks = %v", acks)
	}
}

func TestSlackSocketModeReconnectsAfterDisconnect(t *testing.T) {
	f := newSlackFixture(t, "")
	client := runSocketMode(t, f)
	nextEvent(t, client, socketmode.EventTypeHello)
	f.fake.Disconnect()
	nextEvent(t, client, socketmode.EventTypeHello) // slack-go opened a new connection
	id := f.fake.PushEnvelope("slash_commands", map[string]any{"command": "/herald", "text": "list"})
	e := nextEvent(t, client, socketmode.EventTypeSlashCommand)
	if e.Request.EnvelopeID != id {
		t.Errorf("after reconnecting got envelope %q, want %q", e.Request.EnvelopeID, id)
	}
}

func TestSlackSocketNeedsAnAppTokenAndAFreshTicket(t *testing.T) {
	f := newSlackFixture(t, "")
	_, body := f.call(t, slackAppToken, "apps.connections.open", nil)
	wsURL, _ := body["url"].(string)
	if body["ok"] != true || len(wsURL) < 5 || wsURL[:5] != "ws://" {
		t.Fatalf("apps.connections.open = %v", body)
	}
	dial := func() int {
		conn, status := rawHandshake(t, f.url, wsURL, "dGhlIHNhbXBsZSBub25jZQ==")
		if conn != nil {
			conn.Close()
		}
		return status
	}
	if got := dial(); got != 101 {
		t.Errorf("first dial: %d, want 101", got)
	}
	if got := dial(); got != 401 {
		t.Errorf("reusing the ticket: %d, want 401", got)
	}
}
