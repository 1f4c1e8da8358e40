package inbound

import (
	"context"
	"fmt"

	"github.com/heraldbot/herald"
)

// Direct answers what an end user writes to the bot itself rather than
// to the team behind it: a /testme code that makes the writer's account an
// admin's test recipient, or /whoami. The flows engine implements it; it
// is asked before keyword handling, for private messages only.
type Direct interface {
	// AnswerDirect returns the reply for text and ok, or ok false when
	// text is an ordinary message. An error (storage) fails the record,
	// so the platform delivers the webhook again.
	AnswerDirect(ctx context.Context, from herald.SubscriberKey, locale, text string) (reply string, ok bool, err error)
}

// answerDirect asks in.direct about ev when it is a private message, and
// returns its reply ("" when it is an ordinary message). The event itself
// is still recorded as a message: the writer becomes (or stays) a
// subscriber, so a test can reach them.
func (in *Inbox) answerDirect(ctx context.Context, ev *Event) (string, error) {
	if in.direct == nil || ev.Kind != Message || ev.Group || ev.Text == "" {
		return "", nil
	}
	reply, ok, err := in.direct.AnswerDirect(ctx, ev.Key, ev.Locale, ev.Text)
	if err != nil {
		return "", fmt.Errorf("inbound: answer %s: %w", ev.Key, err)
	}
	if !ok {
		return "", nil
	}
	return reply, nil
}
