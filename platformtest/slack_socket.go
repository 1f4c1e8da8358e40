package platformtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// slackSocketState is the Socket Mode side of the Slack fake.
type slackSocketState struct {
	sendMu  sync.Mutex // orders hello, queued and pushed envelopes on the wire
	mu      sync.Mutex
	tickets map[string]bool // ws URL tickets not yet used
	conns   []*slackConn
	next    int      // round robin over connections
	pending [][]byte // envelopes pushed while no client was connected
	acks    map[string]json.RawMessage
	changed chan struct{} // closed when a connection or an ack arrives
	nextEnv int
}

type slackConn struct {
	ws   *wsConn
	done chan struct{}
}

func (st *slackSocketState) init() {
	st.tickets = map[string]bool{}
	st.acks = map[string]json.RawMessage{}
	st.changed = make(chan struct{})
}

// notify wakes waiters; st.mu must be held.
func (st *slackSocketState) notify() {
	close(st.changed)
	st.changed = make(chan struct{})
}

func (s *Slack) connectionsOpen(c slackCall) (any, string) {
	st := &s.socket
	st.mu.Lock()
	st.nextEnv++
	ticket := "fake-ticket-" + strconv.Itoa(st.nextEnv)
	st.tickets[ticket] = true
	st.mu.Unlock()
	base := publicBase(c.r)
	wsBase := "ws" + strings.TrimPrefix(base, "http") // http→ws, https→wss
	return slackResult{"url": wsBase + "/link/?ticket=" + ticket + "&app_id=" + slackAppID}, ""
}

// serveSocket upgrades a Socket Mode connection. The Origin header
// (slack-go sends https://api.slack.com) is not checked, as on Slack.
func (s *Slack) serveSocket(w http.ResponseWriter, r *http.Request) {
	st := &s.socket
	ticket := r.URL.Query().Get("ticket")
	st.mu.Lock()
	ok := st.tickets[ticket]
	delete(st.tickets, ticket)
	st.mu.Unlock()
	if !ok {
		s.reject(slackCall{method: "socket"}, http.StatusUnauthorized, "unknown or used ticket")
		http.Error(w, "invalid ticket", http.StatusUnauthorized)
		return
	}
	ws, err := acceptWebSocket(w, r)
	if err != nil {
		return
	}
	conn := &slackConn{ws: ws, done: make(chan struct{})}

	// Registered before hello is written so that whoever saw hello also
	// sees the connection (Disconnect, Connections); sendMu keeps pushed
	// envelopes behind hello and the queued ones.
	st.sendMu.Lock()
	st.mu.Lock()
	st.conns = append(st.conns, conn)
	hello, _ := json.Marshal(map[string]any{"type": "hello", "num_connections": len(st.conns),
		"debug_info":      map[string]any{"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
		"connection_info": map[string]any{"app_id": slackAppID}})
	queued := st.pending
	st.pending = nil
	st.notify()
	st.mu.Unlock()
	err = ws.writeText(hello)
	if err == nil {
		err = ws.ping([]byte("hello"))
	}
	for i, env := range queued {
		if err == nil {
			err = ws.writeText(env)
		}
		if err != nil { // keep what could not be sent for the next client
			st.mu.Lock()
			st.pending = append(queued[i:], st.pending...)
			st.mu.Unlock()
			break
		}
	}
	st.sendMu.Unlock()
	if err != nil {
		ws.close(closeNormal, "") // readAcks then unregisters it
	}
	go s.pingLoop(conn)
	s.readAcks(conn)
}

// pingLoop pings like Slack so clients don't reconnect for lack of pings.
func (s *Slack) pingLoop(c *slackConn) {
	every := s.PingInterval
	if every <= 0 {
		every = 5 * time.Second
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
			if c.ws.ping([]byte("ping")) != nil {
				return
			}
		}
	}
}

// readAcks records the acknowledgements a client sends until it goes away.
func (s *Slack) readAcks(c *slackConn) {
	st := &s.socket
	defer func() {
		close(c.done)
		c.ws.close(closeNormal, "")
		st.mu.Lock()
		for i, x := range st.conns {
			if x == c {
				st.conns = append(st.conns[:i], st.conns[i+1:]...)
				break
			}
		}
		st.notify()
		st.mu.Unlock()
	}()
	for {
		msg, err := c.ws.readMessage()
		if err != nil {
			return
		}
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(msg, &ack) != nil || ack.EnvelopeID == "" {
			s.reject(slackCall{method: "socket"}, 0, "unparseable socket message")
			continue
		}
		if ack.Payload == nil {
			ack.Payload = json.RawMessage{}
		}
		st.mu.Lock()
		st.acks[ack.EnvelopeID] = ack.Payload
		st.notify()
		st.mu.Unlock()
	}
}

// PushEnvelope sends a Socket Mode envelope of typ ("slash_commands",
// "interactive", "events_api") with payload to one connected client (round
// robin), or queues it for the next client to connect, and returns its
// envelope ID. A trigger_id in the payload becomes usable by views.open.
func (s *Slack) PushEnvelope(typ string, payload any) string {
	raw, err := json.Marshal(payload)
	if err != nil {
		panic(fmt.Sprintf("platformtest: PushEnvelope: payload does not marshal: %v", err))
	}
	var probe struct {
		TriggerID string `json:"trigger_id"`
		Type      string `json:"type"`
	}
	_ = json.Unmarshal(raw, &probe)
	if probe.TriggerID != "" {
		s.mu.Lock()
		s.triggers[probe.TriggerID] = true
		s.mu.Unlock()
	}
	st := &s.socket
	st.sendMu.Lock()
	defer st.sendMu.Unlock()
	st.mu.Lock()
	st.nextEnv++
	n := st.nextEnv
	st.mu.Unlock()
	id := fmt.Sprintf("%08x-fake-4%03x-8%03x-%012x", n, n&0xfff, n&0xfff, n)
	accepts := typ == "slash_commands" || (typ == "interactive" &&
		(probe.Type == "view_submission" || probe.Type == "block_suggestion"))
	env, _ := json.Marshal(map[string]any{"envelope_id": id, "type": typ, "payload": json.RawMessage(raw),
		"accepts_response_payload": accepts, "retry_attempt": 0, "retry_reason": ""})
	for {
		st.mu.Lock()
		if len(st.conns) == 0 {
			st.pending = append(st.pending, env)
			st.mu.Unlock()
			return id
		}
		st.next++
		c := st.conns[st.next%len(st.conns)]
		st.mu.Unlock()
		if c.ws.writeText(env) == nil {
			return id
		}
		c.ws.close(closeNormal, "") // its reader removes it; try another
		<-c.done
	}
}

// PushEvent wraps an Events API event (e.g. {"type":"app_mention",…}) in
// its event_callback and pushes it as an events_api envelope.
func (s *Slack) PushEvent(event any) string {
	s.mu.Lock()
	eventID := s.newID("Ev")
	s.mu.Unlock()
	return s.PushEnvelope("events_api", map[string]any{"token": "fake-verification-token",
		"team_id": slackTeamID, "api_app_id": slackAppID, "event": event, "type": "event_callback",
		"event_id": eventID, "event_time": s.rec.Now().Unix(),
		"authorizations": []map[string]any{{"team_id": slackTeamID, "user_id": slackBotUser, "is_bot": true}}})
}

// Acks returns the acknowledgements received, by envelope ID (an empty
// payload when the ack carried none).
func (s *Slack) Acks() map[string]json.RawMessage {
	st := &s.socket
	st.mu.Lock()
	defer st.mu.Unlock()
	out := make(map[string]json.RawMessage, len(st.acks))
	for k, v := range st.acks {
		out[k] = v
	}
	return out
}

// Connections is the number of Socket Mode clients connected.
func (s *Slack) Connections() int {
	st := &s.socket
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.conns)
}

// waitFor blocks until cond (run with the socket lock held) holds or ctx ends.
func (s *Slack) waitFor(ctx context.Context, cond func() bool) error {
	st := &s.socket
	for {
		st.mu.Lock()
		ok, ch := cond(), st.changed
		st.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("platformtest: slack: %w", ctx.Err())
		}
	}
}

// WaitConnected blocks until a Socket Mode client has connected, or ctx
// ends. Envelopes pushed afterwards reach it after its hello.
func (s *Slack) WaitConnected(ctx context.Context) error {
	return s.waitFor(ctx, func() bool { return len(s.socket.conns) > 0 })
}

// WaitAck blocks until the envelope is acknowledged and returns the ack's
// payload.
func (s *Slack) WaitAck(ctx context.Context, envelopeID string) (json.RawMessage, error) {
	var p json.RawMessage
	err := s.waitFor(ctx, func() bool {
		var ok bool
		p, ok = s.socket.acks[envelopeID]
		return ok
	})
	return p, err
}

// Disconnect asks every client to reconnect, as Slack does before it
// recycles a connection, then closes the sockets.
func (s *Slack) Disconnect() {
	st := &s.socket
	st.mu.Lock()
	conns := append([]*slackConn(nil), st.conns...)
	st.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"type": "disconnect", "reason": "refresh_requested",
		"debug_info": map[string]any{"host": "applink-fake"}})
	for _, c := range conns {
		_ = c.ws.writeText(msg)
		c.ws.close(closeNormal, "")
	}
}

// Close drops every Socket Mode connection; call it before closing the
// server.
func (s *Slack) Close() {
	st := &s.socket
	st.mu.Lock()
	conns := append([]*slackConn(nil), st.conns...)
	st.mu.Unlock()
	for _, c := range conns {
		c.ws.close(closeNormal, "")
	}
}
