// Package inbound records what end users do on LINE, Telegram and Messenger
// (follows, messages, stops, blocks, group joins, button taps), independent
// of the platform. The platform handlers translate webhooks and updates into
// Events; an Inbox applies them to subscribers in group-committed batches and
// answers only once they are durable, so an acknowledged webhook is never
// lost.
package inbound

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Kind is what an end user (or the platform about them) did.
type Kind string

// Event kinds.
const (
	// Subscribe: a follow, /start, re-adding the bot or a START keyword.
	Subscribe Kind = "subscribe"
	// Unsubscribe: an unfollow, /stop or a STOP keyword.
	Unsubscribe Kind = "unsubscribe"
	// Message: anything else the user wrote; it updates the last interaction
	// (Messenger's 24-hour window depends on it) and is checked for keywords.
	Message Kind = "message"
	// Tap: a press of a broadcast's action button.
	Tap Kind = "tap"
	// Blocked: the user blocked the bot.
	Blocked Kind = "blocked"
	// Joined and Left: the bot was added to or removed from a group chat.
	Joined Kind = "joined"
	Left   Kind = "left"
	// Profile: the platform told us a name or language after the fact (LINE's
	// profile fetch). It never creates a subscriber (see Inbox.UpdateProfile).
	Profile Kind = "profile"
)

// StartParamAttr is the attribute that keeps a Telegram deep-link payload
// (t.me/bot?start=PAYLOAD) or a Messenger m.me referral: the campaign that
// brought the subscriber.
const StartParamAttr = "start_param"

// Event is one thing an end user did, in platform-neutral terms.
type Event struct {
	Kind Kind
	Key  herald.SubscriberKey
	// Group says Key names a group chat rather than a person.
	Group bool
	// At is when the platform says it happened (now when zero).
	At time.Time
	// Name and Locale are what the platform says about the user, if anything.
	Name   string
	Locale string
	// Attributes are set on the subscriber (e.g. StartParamAttr).
	Attributes map[string]string
	// Text is the message's text, checked for keywords; never stored.
	Text string
	// Postback is a tap's payload (see herald.EncodePostback).
	Postback string
	// CountOnly records a tap without touching the tapper's subscriber
	// record: a Telegram group member who never started the bot.
	CountOnly bool
	// ID is the platform's identity of this event (LINE's webhookEventId,
	// a Messenger message's mid, a Telegram update_id), unique on its
	// platform: a redelivery carries the same ID and is applied once. ""
	// when the platform gives none; such an event is applied every time.
	ID string
}

// seenID is the event's ID as storage remembers it: unique across
// platforms and their accounts (two Telegram bots number their updates
// alike). The default account's IDs are as they were before accounts.
func (e *Event) seenID() string {
	if e.ID == "" {
		return ""
	}
	return e.Key.AccountOf().String() + ":" + e.ID
}

// Validate rejects events no platform handler should produce.
func (e *Event) Validate() error {
	if !e.Key.Platform.Valid() {
		return fmt.Errorf("inbound: event %s: invalid platform %q", e.Kind, e.Key.Platform)
	}
	if err := herald.ValidateSubscriberID(e.Key.ID); err != nil {
		return fmt.Errorf("inbound: event %s: subscriber %w", e.Kind, err)
	}
	switch {
	case e.Group && !e.Key.Platform.HasGroups():
		return fmt.Errorf("inbound: event %s: %s has no group chats", e.Kind, e.Key.Platform)
	}
	switch e.Kind {
	case Subscribe, Unsubscribe, Message, Tap, Blocked, Joined, Left, Profile:
		return nil
	}
	return fmt.Errorf("inbound: unknown event kind %q", e.Kind)
}

// Result is what recording one event led to, for the platform handler's
// answer.
type Result struct {
	// Subscriber is the record after the event (zero for CountOnly taps).
	Subscriber herald.Subscriber
	// Kind is the event's kind after keyword matching (a "STOP" message
	// becomes Unsubscribe).
	Kind Kind
	// Reply is a short confirmation to send the user in their language, or
	// "" for none.
	Reply string
	// Tap is the resolved tap, when the event was a tap on a known button.
	Tap *herald.Tap
	// Button is the tapped button (its label…), when Tap is set.
	Button *herald.Button
	// Repeat says the event was a redelivery of one already applied:
	// nothing changed, and nothing is to be answered again.
	Repeat bool
	// Created says the event made the subscriber: Herald had not known them.
	Created bool
}

// apply changes sub for one event. tapped is the resolved button of a tap.
func apply(ev *Event, sub *herald.Subscriber, created bool, tapped *herald.Button) {
	if created {
		sub.Kind = herald.KindUser
		if ev.Group {
			sub.Kind = herald.KindGroup
		}
		sub.State = herald.Subscribed
		sub.FirstSeen = ev.At
	}
	if ev.Name != "" {
		sub.Name = ev.Name
	}
	if ev.Locale != "" && sub.Locale == "" {
		sub.Locale = ev.Locale
	}
	if len(ev.Attributes) > 0 && sub.Attributes == nil {
		sub.Attributes = map[string]string{}
	}
	for k, v := range ev.Attributes {
		sub.Attributes[k] = v
	}
	switch ev.Kind {
	case Subscribe, Joined:
		sub.State = herald.Subscribed
	case Unsubscribe, Left:
		sub.State = herald.Unsubscribed
	case Blocked:
		sub.State = herald.Blocked
	case Message, Tap:
		// Someone we had marked unreachable is writing again: the platform
		// lets us reach them. Someone who said stop stays unsubscribed.
		if sub.State == herald.Blocked {
			sub.State = herald.Subscribed
		}
	}
	if ev.Kind != Blocked && ev.Kind != Left && ev.Kind != Profile && ev.At.After(sub.LastInteraction) {
		sub.LastInteraction = ev.At
	}
	if tapped != nil {
		sub.AddTags(tapped.AddTags...)
		sub.RemoveTags(tapped.RemoveTags...)
		if len(tapped.SetAttrs) > 0 && sub.Attributes == nil {
			sub.Attributes = map[string]string{}
		}
		for k, v := range tapped.SetAttrs {
			sub.Attributes[k] = v
		}
	}
}
