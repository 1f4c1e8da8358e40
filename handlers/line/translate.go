package line

import (
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/webhook"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/inbound"
)

// meta is what the handler does after an event is recorded.
type meta struct {
	fetchProfile bool
}

// translate turns LINE webhook events into end-user events; kinds Herald
// does not use (beacons, unsend, membership…) yield none.
func translate(events []webhook.EventInterface) ([]inbound.Event, []meta) {
	var evs []inbound.Event
	var metas []meta
	// id is LINE's webhookEventId: the same in a redelivery
	// (deliveryContext.isRedelivery), so the event is applied once.
	add := func(id string, ev inbound.Event, m meta) {
		ev.ID = id
		if ev.Validate() == nil { // a malformed event must not make LINE retry forever
			evs, metas = append(evs, ev), append(metas, m)
		}
	}
	for _, e := range events {
		switch e := e.(type) {
		case webhook.FollowEvent:
			if id := userID(e.Source); id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Subscribe, Key: key(id), At: millis(e.Timestamp)}, meta{fetchProfile: true})
			}
		case webhook.UnfollowEvent:
			// LINE sends unfollow when a user blocks the account: mark them
			// blocked, which is also the only way Herald learns it, since a
			// multicast is answered 200 for blocked users. Unblocking sends a
			// follow, which subscribes them again.
			if id := userID(e.Source); id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Blocked, Key: key(id), At: millis(e.Timestamp)}, meta{})
			}
		case webhook.MessageEvent:
			ev := inbound.Event{Kind: inbound.Message, At: millis(e.Timestamp)}
			if t, ok := e.Message.(webhook.TextMessageContent); ok {
				ev.Text = t.Text
			}
			if id := userID(e.Source); id != "" {
				ev.Key = key(id)
			} else if id := groupID(e.Source); id != "" {
				ev.Key, ev.Group, ev.Text = key(id), true, ""
			}
			add(e.WebhookEventId, ev, meta{})
		case webhook.PostbackEvent:
			if e.Postback == nil {
				continue
			}
			ev := inbound.Event{Kind: inbound.Tap, Postback: e.Postback.Data, At: millis(e.Timestamp)}
			if id := userID(e.Source); id != "" {
				ev.Key = key(id)
			} else if id := memberID(e.Source); id != "" {
				ev.Key, ev.CountOnly = key(id), true // a group member: count the tap only
			}
			add(e.WebhookEventId, ev, meta{})
		case webhook.JoinEvent:
			if id := groupID(e.Source); id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Joined, Key: key(id), Group: true, At: millis(e.Timestamp)}, meta{})
			}
		case webhook.LeaveEvent:
			if id := groupID(e.Source); id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Left, Key: key(id), Group: true, At: millis(e.Timestamp)}, meta{})
			}
		}
	}
	return evs, metas
}

// userID is the user of a one-to-one chat, "" for groups and rooms.
func userID(s webhook.SourceInterface) string {
	if u, ok := s.(webhook.UserSource); ok {
		return u.UserId
	}
	return ""
}

// groupID is the group or multi-person room a source is, "" otherwise.
// Rooms are kept as group chats: pushes reach them the same way.
func groupID(s webhook.SourceInterface) string {
	switch g := s.(type) {
	case webhook.GroupSource:
		return g.GroupId
	case webhook.RoomSource:
		return g.RoomId
	}
	return ""
}

// memberID is the user who acted inside a group or room, when LINE says.
func memberID(s webhook.SourceInterface) string {
	switch g := s.(type) {
	case webhook.GroupSource:
		return g.UserId
	case webhook.RoomSource:
		return g.UserId
	}
	return ""
}

func key(id string) herald.SubscriberKey { return herald.SubscriberKey{Platform: herald.LINE, ID: id} }

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
