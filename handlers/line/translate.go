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
			if id := source(e.Source).user; id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Subscribe, Key: key(id), At: millis(e.Timestamp)}, meta{fetchProfile: true})
			}
		case webhook.UnfollowEvent:
			// LINE sends unfollow when a user blocks the account: mark them
			// blocked, which is also the only way Herald learns it, since a
			// multicast is answered 200 for blocked users. Unblocking sends a
			// follow, which subscribes them again.
			if id := source(e.Source).user; id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Blocked, Key: key(id), At: millis(e.Timestamp)}, meta{})
			}
		case webhook.MessageEvent:
			ev := inbound.Event{Kind: inbound.Message, At: millis(e.Timestamp)}
			if t, ok := e.Message.(webhook.TextMessageContent); ok {
				ev.Text = t.Text
			}
			if id := source(e.Source).user; id != "" {
				ev.Key = key(id)
			} else if id := source(e.Source).group; id != "" {
				ev.Key, ev.Group, ev.Text = key(id), true, ""
			}
			add(e.WebhookEventId, ev, meta{})
		case webhook.PostbackEvent:
			if e.Postback == nil {
				continue
			}
			ev := inbound.Event{Kind: inbound.Tap, Postback: e.Postback.Data, At: millis(e.Timestamp)}
			if id := source(e.Source).user; id != "" {
				ev.Key = key(id)
			} else if id := source(e.Source).member; id != "" {
				ev.Key, ev.CountOnly = key(id), true // a group member: count the tap only
			}
			add(e.WebhookEventId, ev, meta{})
		case webhook.JoinEvent:
			if id := source(e.Source).group; id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Joined, Key: key(id), Group: true, At: millis(e.Timestamp)}, meta{})
			}
		case webhook.LeaveEvent:
			if id := source(e.Source).group; id != "" {
				add(e.WebhookEventId, inbound.Event{Kind: inbound.Left, Key: key(id), Group: true, At: millis(e.Timestamp)}, meta{})
			}
		}
	}
	return evs, metas
}

// sourceIDs is who an event came from: the user of a one-to-one chat, or
// a group or multi-person room and the member who acted in it, when LINE
// says. Rooms are kept as group chats: pushes reach them the same way.
type sourceIDs struct{ user, group, member string }

func source(s webhook.SourceInterface) sourceIDs {
	switch s := s.(type) {
	case webhook.UserSource:
		return sourceIDs{user: s.UserId}
	case webhook.GroupSource:
		return sourceIDs{group: s.GroupId, member: s.UserId}
	case webhook.RoomSource:
		return sourceIDs{group: s.RoomId, member: s.UserId}
	}
	return sourceIDs{}
}

func key(id string) herald.SubscriberKey { return herald.SubscriberKey{Platform: herald.LINE, ID: id} }

func millis(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}
