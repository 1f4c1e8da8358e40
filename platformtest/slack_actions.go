package platformtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// A user's interactions with a message the bot posted arrive as
// block_actions payloads shaped like Slack's
// (https://docs.slack.dev/reference/interaction-payloads/block_actions-payload):
// the action, the message as it is now, and state.values, the value of
// every date picker, time picker and menu in the message as the user's
// client holds it. A pick (PushDate, PushTime, PushOptions) is sent at
// once, as Slack does, and is remembered as client state until the message
// is updated: a button pressed later carries it in state.values.

// slackPickKey is one user's view of one message.
type slackPickKey struct{ user, channel, ts string }

// slackPicks are a user's unsubmitted values by "block_id/action_id", each
// a state value object ({"type":"datepicker","selected_date":"…"}).
type slackPicks map[string]map[string]any

// slackFound is an interactive element found in a message.
type slackFound struct {
	blockID string
	el      slackElement
}

// PushButton presses the button whose value is value in message m (as it
// is now, updates applied) and returns the envelope ID.
func (s *Slack) PushButton(user string, m SlackMessage, value string) (string, error) {
	return s.pushAction(user, m, "button with value "+value,
		func(e slackElement) bool { return e.Type == "button" && e.Value == value },
		func(f slackFound) (map[string]any, map[string]any, error) {
			a := map[string]any{"type": "button", "text": plainText(f.el.Text), "value": f.el.Value}
			if f.el.Style != "" {
				a["style"] = f.el.Style
			}
			return a, nil, nil
		})
}

// PushDate picks date ("2026-12-01") in m's first date picker.
func (s *Slack) PushDate(user string, m SlackMessage, date string) (string, error) {
	return s.pushAction(user, m, "datepicker", func(e slackElement) bool { return e.Type == "datepicker" },
		func(f slackFound) (map[string]any, map[string]any, error) {
			a := map[string]any{"type": "datepicker", "selected_date": date}
			if f.el.InitialDate != "" {
				a["initial_date"] = f.el.InitialDate
			}
			return a, map[string]any{"type": "datepicker", "selected_date": date}, nil
		})
}

// PushTime picks hhmm ("09:00") in m's first time picker.
func (s *Slack) PushTime(user string, m SlackMessage, hhmm string) (string, error) {
	return s.pushAction(user, m, "timepicker", func(e slackElement) bool { return e.Type == "timepicker" },
		func(f slackFound) (map[string]any, map[string]any, error) {
			a := map[string]any{"type": "timepicker", "selected_time": hhmm}
			if f.el.InitialTime != "" {
				a["initial_time"] = f.el.InitialTime
			}
			return a, timeState(hhmm, f.el.Timezone), nil
		})
}

// PushOptions leaves exactly the options with these values chosen in m's
// first multi_static_select; Slack sends the whole selection each time.
func (s *Slack) PushOptions(user string, m SlackMessage, values ...string) (string, error) {
	return s.pushAction(user, m, "multi_static_select", func(e slackElement) bool { return e.Type == "multi_static_select" },
		func(f slackFound) (map[string]any, map[string]any, error) {
			chosen := []map[string]any{}
			for _, o := range f.el.Options {
				if slices.Contains(values, o.Value) {
					chosen = append(chosen, optionJSON(o))
				}
			}
			if len(chosen) != len(values) {
				return nil, nil, fmt.Errorf("platformtest: slack: message %s: the menu lacks some of %q", m.TS, values)
			}
			a := map[string]any{"type": "multi_static_select", "selected_options": chosen}
			if f.el.Placeholder != nil {
				a["placeholder"] = plainText(f.el.Placeholder)
			}
			return a, map[string]any{"type": "multi_static_select", "selected_options": chosen}, nil
		})
}

// pushAction finds the element want describes in m, lets act build the
// action (and the element's new client state), and pushes the payload.
func (s *Slack) pushAction(user string, m SlackMessage, what string, match func(slackElement) bool,
	act func(slackFound) (action, state map[string]any, err error)) (string, error) {
	s.mu.Lock()
	cur := s.findMessage(dmChannel(m.Channel), m.TS)
	var msg SlackMessage
	if cur != nil {
		msg = *cur
	}
	s.mu.Unlock()
	if cur == nil {
		return "", fmt.Errorf("platformtest: slack: no message %s in %s", m.TS, m.Channel)
	}
	var blocks []slackBlock
	_ = json.Unmarshal([]byte(msg.Blocks), &blocks)
	var found *slackFound
	for _, f := range interactiveElements(blocks) {
		if match(f.el) {
			found = &f
			break
		}
	}
	if found == nil {
		return "", fmt.Errorf("platformtest: slack: message %s has no %s: %s", m.TS, what, msg.Blocks)
	}
	action, state, err := act(*found)
	if err != nil {
		return "", err
	}
	action["action_id"], action["block_id"] = found.el.ActionID, found.blockID

	key := slackPickKey{user, msg.Channel, msg.TS}
	s.mu.Lock()
	action["action_ts"] = s.newTS()
	if state != nil {
		if s.picks[key] == nil {
			s.picks[key] = slackPicks{}
		}
		s.picks[key][found.blockID+"/"+found.el.ActionID] = state
	}
	values := stateValues(blocks, s.picks[key])
	name := strings.ToLower(user)
	if u := s.users[user]; u != nil {
		name = u.Name
	}
	chName := strings.ToLower(msg.Channel)
	if c := s.channels[msg.Channel]; c != nil {
		chName = c.Name
	}
	trigger := s.newID("") + ".fake.trigger"
	s.mu.Unlock()

	container := map[string]any{"type": "message", "message_ts": msg.TS, "channel_id": msg.Channel, "is_ephemeral": msg.Ephemeral}
	if msg.ThreadTS != "" {
		container["thread_ts"] = msg.ThreadTS
	}
	payload := map[string]any{"type": "block_actions", "token": "fake-verification-token", "api_app_id": slackAppID,
		"user":       map[string]any{"id": user, "username": name, "name": name, "team_id": slackTeamID},
		"team":       map[string]any{"id": slackTeamID, "domain": "herald-test"},
		"enterprise": nil, "is_enterprise_install": false, "trigger_id": trigger, "container": container,
		"channel": map[string]any{"id": msg.Channel, "name": chName},
		"state":   map[string]any{"values": values}, "actions": []map[string]any{action}}
	if !msg.Ephemeral { // an ephemeral message is not sent back
		payload["message"] = msg.json()
	}
	return s.PushEnvelope("interactive", payload), nil
}

// interactiveElements lists the elements of actions blocks and section
// accessories, in order.
func interactiveElements(blocks []slackBlock) []slackFound {
	var out []slackFound
	for _, b := range blocks {
		for _, e := range b.Elements {
			if b.Type == "actions" {
				out = append(out, slackFound{b.BlockID, e})
			}
		}
		if b.Accessory != nil {
			out = append(out, slackFound{b.BlockID, *b.Accessory})
		}
	}
	return out
}

// stateValues is state.values: every stateful element with the user's
// pick, or its initial value.
func stateValues(blocks []slackBlock, picks slackPicks) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, f := range interactiveElements(blocks) {
		v := picks[f.blockID+"/"+f.el.ActionID]
		if v == nil {
			v = initialState(f.el)
		}
		if v == nil {
			continue
		}
		if out[f.blockID] == nil {
			out[f.blockID] = map[string]any{}
		}
		out[f.blockID][f.el.ActionID] = v
	}
	return out
}

// initialState is the state value of an element nobody touched, nil for
// elements without state (buttons).
func initialState(e slackElement) map[string]any {
	switch e.Type {
	case "datepicker":
		return map[string]any{"type": e.Type, "selected_date": nilIfEmpty(e.InitialDate)}
	case "timepicker":
		return timeState(e.InitialTime, e.Timezone)
	case "multi_static_select", "checkboxes":
		chosen := []map[string]any{}
		for _, o := range e.InitialOptions {
			chosen = append(chosen, optionJSON(o))
		}
		return map[string]any{"type": e.Type, "selected_options": chosen}
	case "static_select", "radio_buttons":
		var o any
		if e.InitialOption != nil {
			o = optionJSON(*e.InitialOption)
		}
		return map[string]any{"type": e.Type, "selected_option": o}
	}
	return nil
}

func timeState(hhmm, zone string) map[string]any {
	v := map[string]any{"type": "timepicker", "selected_time": nilIfEmpty(hhmm)}
	if zone != "" {
		v["timezone"] = zone
	}
	return v
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func optionJSON(o slackOption) map[string]any {
	return map[string]any{"text": plainText(&o.Text), "value": o.Value}
}

// plainText is a text object as Slack echoes it.
func plainText(t *slackText) map[string]any {
	if t == nil {
		return nil
	}
	out := map[string]any{"type": t.Type, "text": t.Text}
	if t.Type == "plain_text" {
		out["emoji"] = true
	}
	return out
}

// forgetPicks drops users' unsubmitted values in a message that was just
// updated: Slack's clients redraw it from the new blocks. s.mu must be held.
func (s *Slack) forgetPicks(channel, ts string) {
	for k := range s.picks {
		if k.channel == channel && k.ts == ts {
			delete(s.picks, k)
		}
	}
}
