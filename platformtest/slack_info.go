package platformtest

import (
	"encoding/json"
	"strings"
)

// SlackChannel describes a conversation for conversations.info. Channels
// the test never added exist, their kind taken from the ID's prefix
// (C public, G private, D direct message).
type SlackChannel struct {
	ID        string
	Name      string
	IsPrivate bool
	IsMember  bool
}

// SlackUser describes a workspace member for users.info. Unknown U…/W… IDs
// are made up; other IDs are user_not_found.
type SlackUser struct {
	ID       string
	Name     string
	RealName string
	Email    string
	TZ       string // IANA zone, e.g. "Asia/Taipei"
	TZOffset int    // seconds east of UTC
	Locale   string // e.g. "en-US"
	IsAdmin  bool
	IsOwner  bool
	IsBot    bool
	Deleted  bool
}

// SlackView is a modal the bot opened or updated.
type SlackView struct {
	ID        string
	Token     string
	TriggerID string
	View      json.RawMessage // the view as the bot sent it, last update applied
	Updates   int
}

// AddChannel registers a channel.
func (s *Slack) AddChannel(c SlackChannel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := c
	s.channels[c.ID] = &cp
}

// AddUser registers a user.
func (s *Slack) AddUser(u SlackUser) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := u
	s.users[u.ID] = &cp
}

// NewTriggerID returns a trigger_id views.open accepts once, as if a user
// had just pressed a button. Trigger IDs in pushed envelopes are registered
// by PushEnvelope already.
func (s *Slack) NewTriggerID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.newID("") + ".fake.trigger"
	s.triggers[id] = true
	return id
}

// Views returns the modals opened, in order.
func (s *Slack) Views() []SlackView {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SlackView, len(s.views))
	for i, v := range s.views {
		out[i] = *v
	}
	return out
}

func (s *Slack) conversationsInfo(c slackCall) (any, string) {
	ch, code := s.channelFor(c, "channel")
	if code != "" {
		return nil, code
	}
	s.mu.Lock()
	info := s.channels[ch]
	s.mu.Unlock()
	if info == nil {
		info = &SlackChannel{ID: ch, Name: strings.ToLower(ch), IsPrivate: strings.HasPrefix(ch, "G"), IsMember: true}
	}
	im := strings.HasPrefix(ch, "D")
	out := map[string]any{"id": info.ID, "name": info.Name, "is_channel": !im && !info.IsPrivate,
		"is_group": info.IsPrivate, "is_im": im, "is_private": info.IsPrivate || im, "is_member": info.IsMember,
		"is_archived": false, "created": 1700000000, "context_team_id": slackTeamID}
	if im {
		out["user"] = "U" + ch[1:]
		delete(out, "name")
	}
	return slackResult{"channel": out}, ""
}

func (s *Slack) usersInfo(c slackCall) (any, string) {
	id := c.p.get("user")
	s.mu.Lock()
	u := s.users[id]
	s.mu.Unlock()
	if u == nil {
		if !strings.HasPrefix(id, "U") && !strings.HasPrefix(id, "W") {
			return nil, "user_not_found"
		}
		u = &SlackUser{ID: id, Name: strings.ToLower(id), RealName: "User " + id, TZ: "UTC", Locale: "en-US"}
	}
	out := map[string]any{"id": u.ID, "team_id": slackTeamID, "name": u.Name, "deleted": u.Deleted,
		"real_name": u.RealName, "tz": u.TZ, "tz_label": u.TZ, "tz_offset": u.TZOffset,
		"is_admin": u.IsAdmin, "is_owner": u.IsOwner, "is_bot": u.IsBot,
		"profile": map[string]any{"real_name": u.RealName, "display_name": u.Name, "email": u.Email, "team": slackTeamID}}
	if c.p.get("include_locale") == "true" {
		out["locale"] = u.Locale
	}
	return slackResult{"user": out}, ""
}

// viewJSON validates a view argument; it returns the parsed view or the
// error code.
func viewJSON(raw string) (map[string]json.RawMessage, string) {
	var v map[string]json.RawMessage
	if json.Unmarshal([]byte(raw), &v) != nil {
		return nil, "invalid_arguments"
	}
	var typ string
	_ = json.Unmarshal(v["type"], &typ)
	var title slackText
	_ = json.Unmarshal(v["title"], &title)
	if typ != "modal" || title.Text == "" || len([]rune(title.Text)) > 24 {
		return nil, "invalid_arguments"
	}
	if _, code := checkBlocks(string(v["blocks"])); code != "" {
		return nil, "invalid_arguments"
	}
	return v, ""
}

// viewAnswer is the view object Slack returns.
func viewAnswer(id string, v map[string]json.RawMessage) slackResult {
	out := map[string]any{}
	for k, raw := range v {
		out[k] = raw
	}
	out["id"], out["team_id"], out["app_id"], out["bot_id"] = id, slackTeamID, slackAppID, slackBotID
	out["root_view_id"], out["hash"] = id, "1700000000.fake"+id
	out["state"] = map[string]any{"values": map[string]any{}}
	return slackResult{"view": out}
}

func (s *Slack) viewsOpen(c slackCall) (any, string) {
	trigger := c.p.get("trigger_id")
	v, code := viewJSON(c.p.get("view"))
	if code != "" {
		return nil, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	usable, known := s.triggers[trigger]
	switch {
	case !known:
		return nil, "invalid_trigger_id"
	case !usable:
		return nil, "expired_trigger_id"
	}
	s.triggers[trigger] = false
	view := &SlackView{ID: s.newID("V"), Token: c.token, TriggerID: trigger, View: json.RawMessage(c.p.get("view"))}
	s.views = append(s.views, view)
	return viewAnswer(view.ID, v), ""
}

func (s *Slack) viewsUpdate(c slackCall) (any, string) {
	v, code := viewJSON(c.p.get("view"))
	if code != "" {
		return nil, code
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, view := range s.views {
		if view.ID == c.p.get("view_id") {
			view.View = json.RawMessage(c.p.get("view"))
			view.Updates++
			return viewAnswer(view.ID, v), ""
		}
	}
	return nil, "not_found"
}
