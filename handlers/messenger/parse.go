package messenger

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
)

// payload is the part of a Page webhook body Herald reads.
type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		ID        string      `json:"id"` // the page's ID
		Messaging []messaging `json:"messaging"`
	} `json:"entry"`
}

type messaging struct {
	Sender struct {
		ID string `json:"id"`
	} `json:"sender"`
	Timestamp int64 `json:"timestamp"`
	Message   *struct {
		Mid        string `json:"mid"`
		Text       string `json:"text"`
		IsEcho     bool   `json:"is_echo"`
		QuickReply *struct {
			Payload string `json:"payload"`
		} `json:"quick_reply"`
	} `json:"message"`
	Postback *struct {
		Payload  string    `json:"payload"`
		Referral *referral `json:"referral"`
	} `json:"postback"`
	Referral *referral `json:"referral"`
}

// referral is an m.me link's ref: the campaign that brought the person.
type referral struct {
	Ref string `json:"ref"`
}

// errNotPage rejects bodies that are not Page webhooks.
var errNotPage = errors.New("messenger: not a page webhook")

// parse reads a signed webhook body into end-user events, and the ID of
// the page each came to. Echoes of the page's own messages, reads and
// deliveries yield none.
func parse(body []byte) ([]inbound.Event, []string, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, nil, err
	}
	if p.Object != "page" {
		return nil, nil, errNotPage
	}
	var evs []inbound.Event
	var pages []string
	for _, e := range p.Entry {
		for _, m := range e.Messaging {
			ev, ok := event(m)
			if ok && ev.Validate() == nil {
				evs, pages = append(evs, ev), append(pages, e.ID)
			}
		}
	}
	return evs, pages, nil
}

func event(m messaging) (inbound.Event, bool) {
	ev := inbound.Event{Key: herald.SubscriberKey{Platform: herald.Messenger, ID: m.Sender.ID}}
	if m.Timestamp > 0 {
		ev.At = time.UnixMilli(m.Timestamp).UTC()
	}
	ref := m.Referral
	switch {
	case m.Message != nil && m.Message.IsEcho:
		return ev, false
	case m.Message != nil && m.Message.QuickReply != nil && isPostback(m.Message.QuickReply.Payload):
		ev.Kind, ev.Postback = inbound.Tap, m.Message.QuickReply.Payload
	case m.Message != nil:
		ev.Kind, ev.Text = inbound.Message, m.Message.Text
	case m.Postback != nil && isPostback(m.Postback.Payload):
		ev.Kind, ev.Postback = inbound.Tap, m.Postback.Payload
	case m.Postback != nil: // Get Started and other page buttons
		ev.Kind = inbound.Message
		if m.Postback.Referral != nil {
			ref = m.Postback.Referral
		}
	case m.Referral != nil: // an m.me link opened in an existing thread
		ev.Kind = inbound.Message
	default:
		return ev, false
	}
	if ref != nil && ref.Ref != "" && len(ref.Ref) <= 256 {
		ev.Attributes = map[string]string{inbound.StartParamAttr: ref.Ref}
	}
	ev.ID = eventID(&m)
	return ev, true
}

// eventID names a messaging event so that a redelivered webhook is applied
// once: a message by its mid; a postback or referral, which have none, by
// who, when (milliseconds) and what.
func eventID(m *messaging) string {
	switch {
	case m.Message != nil:
		if m.Message.Mid == "" {
			return ""
		}
		return "m:" + m.Message.Mid
	case m.Timestamp <= 0: // nothing to tell two taps apart
		return ""
	case m.Postback != nil:
		return "p:" + m.Sender.ID + ":" + strconv.FormatInt(m.Timestamp, 10) + ":" + m.Postback.Payload
	case m.Referral != nil:
		return "r:" + m.Sender.ID + ":" + strconv.FormatInt(m.Timestamp, 10) + ":" + m.Referral.Ref
	}
	return ""
}

func isPostback(data string) bool {
	_, _, ok := herald.DecodePostback(data)
	return ok
}
