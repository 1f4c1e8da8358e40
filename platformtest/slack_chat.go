package platformtest

import (
	"encoding/json"
	"strings"
	"time"
)

// SlackMessage is a message the bot posted, as the fake keeps it (with its
// updates applied).
type SlackMessage struct {
	Token     string
	Channel   string
	TS        string
	ThreadTS  string
	Text      string
	Blocks    string // compact JSON of the blocks, "" for none
	Ephemeral bool
	User      string   // who sees an ephemeral message
	Files     []string // file IDs shared with the message
	Method    string
	Updates   int // successful chat.update calls
	At        time.Time
}

// Messages returns what the bot posted in a channel, in order, updates
// applied. A user ID (U…) finds the messages of the DM with that user.
func (s *Slack) Messages(channel string) []SlackMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []SlackMessage
	for _, m := range s.messages[dmChannel(channel)] {
		out = append(out, *m)
	}
	return out
}

// Message returns one posted message.
func (s *Slack) Message(channel, ts string) (SlackMessage, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m := s.findMessage(dmChannel(channel), ts); m != nil {
		return *m, true
	}
	return SlackMessage{}, false
}

// Updates is how many times chat.update changed the message at ts.
func (s *Slack) Updates(channel, ts string) int {
	m, _ := s.Message(channel, ts)
	return m.Updates
}

func (s *Slack) findMessage(channel, ts string) *SlackMessage {
	for _, m := range s.messages[channel] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// dmChannel is where a post to a user ID lands: Slack opens the DM and
// answers with its D… channel ID.
func dmChannel(channel string) string {
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		return "D" + channel[1:]
	}
	return channel
}

// messageBody validates text and blocks as chat.postMessage/update do.
func messageBody(c slackCall) (text, blocks string, code string) {
	text, rawBlocks := c.p.get("text"), c.p.get("blocks")
	blocks, code = checkBlocks(rawBlocks)
	switch {
	case code != "":
		return "", "", code
	case text == "" && blocks == "" && c.p.get("attachments") == "":
		return "", "", "no_text"
	case len(text) > 40000:
		return "", "", "msg_too_long"
	}
	return text, blocks, ""
}

// channelFor resolves the channel argument, refusing blocked ones.
func (s *Slack) channelFor(c slackCall, name string) (string, string) {
	ch := c.p.get(name)
	if ch == "" || s.Faults.Blocked(ch) {
		return "", "channel_not_found"
	}
	return dmChannel(ch), ""
}

// slackMessageJSON is a message object as Slack returns it.
type slackMessageJSON struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	User     string          `json:"user"`
	BotID    string          `json:"bot_id"`
	AppID    string          `json:"app_id"`
	Team     string          `json:"team"`
	TS       string          `json:"ts"`
	ThreadTS string          `json:"thread_ts,omitempty"`
	Blocks   json.RawMessage `json:"blocks,omitempty"`
}

// slackPostAnswer is chat.postMessage's and chat.update's answer, a struct
// rather than a map because it is on the hot path of a load test.
type slackPostAnswer struct {
	OK      bool             `json:"ok"`
	Channel string           `json:"channel"`
	TS      string           `json:"ts"`
	Text    string           `json:"text,omitempty"`
	Message slackMessageJSON `json:"message"`
}

func (m *SlackMessage) json() slackMessageJSON {
	out := slackMessageJSON{Type: "message", Text: m.Text, User: slackBotUser, BotID: slackBotID,
		AppID: slackAppID, Team: slackTeamID, TS: m.TS, ThreadTS: m.ThreadTS}
	if m.Blocks != "" {
		out.Blocks = json.RawMessage(m.Blocks)
	}
	return out
}

// post stores a new message and records the delivery.
func (s *Slack) post(c slackCall, m *SlackMessage) {
	now := s.rec.Now()
	s.mu.Lock()
	m.Token, m.Method, m.At, m.TS = c.token, c.method, now, s.newTS()
	s.messages[m.Channel] = append(s.messages[m.Channel], m)
	s.mu.Unlock()
	content := m.Text
	if m.Blocks != "" {
		content += " [blocks:" + m.Blocks + "]"
	}
	for _, f := range m.Files {
		content = "[file:" + f + "] " + content
	}
	s.rec.Record(Delivery{Platform: "slack", Token: c.token, Recipient: m.Channel, Method: c.method,
		Content: content, RequestID: s.rec.NewRequestID(), MessageID: m.TS, At: now})
}

// messageCall reads a post's or an edit's channel and content, or the
// Slack error code that refuses the call.
func (s *Slack) messageCall(c slackCall) (ch, text, blocks, code string) {
	if ch, code = s.channelFor(c, "channel"); code != "" {
		return "", "", "", code
	}
	text, blocks, code = messageBody(c)
	return ch, text, blocks, code
}

func (s *Slack) postMessage(c slackCall) (any, string) {
	ch, text, blocks, code := s.messageCall(c)
	if code != "" {
		return nil, code
	}
	m := &SlackMessage{Channel: ch, ThreadTS: c.p.get("thread_ts"), Text: text, Blocks: blocks}
	s.post(c, m)
	return slackPostAnswer{OK: true, Channel: ch, TS: m.TS, Message: m.json()}, ""
}

func (s *Slack) postEphemeral(c slackCall) (any, string) {
	ch, code := s.channelFor(c, "channel")
	if code != "" {
		return nil, code
	}
	user := c.p.get("user")
	if user == "" || s.Faults.Blocked(user) {
		return nil, "user_not_in_channel"
	}
	text, blocks, code := messageBody(c)
	if code != "" {
		return nil, code
	}
	m := &SlackMessage{Channel: ch, ThreadTS: c.p.get("thread_ts"), Text: text, Blocks: blocks, Ephemeral: true, User: user}
	s.post(c, m)
	return slackResult{"message_ts": m.TS}, ""
}

func (s *Slack) update(c slackCall) (any, string) {
	ch, text, blocks, code := s.messageCall(c)
	if code != "" {
		return nil, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.findMessage(ch, c.p.get("ts"))
	switch {
	case m == nil || m.Ephemeral:
		return nil, "message_not_found"
	case m.Token != c.token:
		return nil, "cant_update_message"
	}
	m.Text, m.Updates = text, m.Updates+1
	if c.p.has("blocks") {
		m.Blocks = blocks
	}
	s.forgetPicks(ch, m.TS)
	return slackPostAnswer{OK: true, Channel: ch, TS: m.TS, Text: m.Text, Message: m.json()}, ""
}
