package dispatch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Recipient is one addressee of a send.
type Recipient struct {
	Seq  uint32
	Key  herald.SubscriberKey
	Kind herald.SubscriberKind
}

// Message is one platform request's worth of delivery: the content, already
// personalised for its recipient, and who gets it. Only senders that
// implement Multicaster get more than one recipient.
type Message struct {
	BroadcastID string
	To          []Recipient
	Content     herald.Content
	// Contents, when set, is each recipient's own content, parallel to To
	// (personalised, with their tracked links); Content is then the
	// first's. Only a PersonalMulticaster gets it; nil: everyone gets
	// Content.
	Contents []herald.Content
	Category herald.Category
	Tag      herald.MessageTag
	// RetryKey is a UUID that is the same each time this message is sent
	// again (after a timeout or a restart); platforms that deduplicate on it
	// (an idempotency header) deliver it once. A run gives it to a
	// Deduplicator's messages only: no other sender reads it.
	RetryKey string
	// Response marks a reply to someone who wrote to us within the
	// platform's window (a test the admin asked for, when the sender's
	// Gate admits it as a reply) rather than a broadcast; a sender with
	// such a window sends it as a reply, untagged.
	Response bool
	// FromPart skips the first parts of content that takes several requests
	// (more messages than one request carries, an album and its buttons,
	// text longer than a template): the recipients have
	// them from an earlier try or run (PartialError, Delivery.PartsDone).
	FromPart int
	// LinkPreview is the address the first link of the text stands for
	// when that link goes out tracked (herald.Content.PreviewTarget), ""
	// otherwise: a platform that draws a preview of the first link
	// (Telegram) is told to draw it from there, rather than fetching each
	// recipient's tracked link. With Contents it is the first recipient's.
	LinkPreview string
	// Pacer, set by the engine, is the channel's rate limit for the
	// requests of a message after its first (the engine waited for that
	// one): see Paced.
	Pacer Pacer
}

// Pacer spaces requests within a rate limit: Pace waits until the next
// request may go, or answers *NotYet when it may not go before a chat's
// gap has passed.
type Pacer interface {
	Pace(ctx context.Context) error
}

// NotYet is a Pacer's answer when the next request of a message may not
// leave before At: the chat's gap (RateClass.ChatGap, GroupGap) has not
// passed. A sender returns it as it is, in the PartialError that says
// which parts went out; the engine sends the rest of the message at At,
// and no worker waits meanwhile.
type NotYet struct{ At time.Time }

func (e *NotYet) Error() string { return "dispatch: the chat's gap has not passed yet" }

// Paced makes a request of m after its first, after the rate class's gap
// to the chat and within its rate limit: an album's buttons or a job's
// next part count against the platform's limit like any other request.
// When the gap has not passed it returns the Pacer's *NotYet without
// making the request.
func (m *Message) Paced(ctx context.Context, request func() error) error {
	if m.Pacer != nil {
		if err := m.Pacer.Pace(ctx); err != nil {
			return err
		}
	}
	return request()
}

// SendParts sends the parts of m that take n requests, from m.FromPart
// on, in order: send(i) makes the request of part i. Parts after the
// first sent are paced (Paced). A failure stops the rest; after part 0 it
// is a *PartialError saying how many parts arrived, so that the engine's
// retry sends only the others. The answer's ID is the first sent part's.
func (m *Message) SendParts(ctx context.Context, n int, send func(i int) (string, error)) (string, error) {
	var first string
	start := min(m.FromPart, n)
	for i := start; i < n; i++ {
		var id string
		request := func() (err error) {
			id, err = send(i)
			return err
		}
		var err error
		if i == start {
			err = request()
		} else {
			err = m.Paced(ctx, request)
		}
		if err != nil {
			if i > 0 {
				err = &PartialError{Done: i, Of: n, Err: err}
			}
			return first, err
		}
		if first == "" {
			first = id
		}
	}
	return first, nil
}

// PartialError is a sender's failure after the first Done of a message's
// Of parts reached its recipients (Done counts from the first part, not
// from FromPart). The engine sends a temporary failure again from there,
// and records Done with a final one, so that a retry of the failed
// recipients sends only the rest.
type PartialError struct {
	Done, Of int
	Err      error
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v (the first %d of %d parts were delivered)", e.Err, e.Done, e.Of)
}

func (e *PartialError) Unwrap() error { return e.Err }

// Sender delivers messages on one platform. It translates platform errors
// into the root's: herald.ErrRecipientGone, *herald.RetryAfterError,
// *herald.TemporaryError, herald.ErrOutsideWindow, or ErrRecipientMoved;
// anything else is a permanent failure whose text is the platform's reason.
type Sender interface {
	Send(ctx context.Context, m *Message) (messageID string, err error)
}

// ErrRecipientMoved is a sender's answer when the platform said the one
// recipient now lives under another ID and the sender has recorded the
// move in storage (a group its platform upgraded to a new ID): nothing was
// delivered. The engine reads the recipient again and sends to where it
// lives now, unless the run reaches that chat under its other ID already.
var ErrRecipientMoved = errors.New("recipient moved to a new ID")

// Multicaster is a Sender that can send identical content to many
// recipients in one request. The engine hands it jobs of up to
// MaxMulticast recipients when everyone gets the same content (neither
// personalised nor with tracked links), or, when it is a
// PersonalMulticaster, whatever each gets. A request whose recipients fared
// differently (a batch of calls answered one by one) is answered with an
// *EachError.
type Multicaster interface {
	// MaxMulticast is the most recipients one request may carry.
	MaxMulticast() int
}

// ContentMulticaster is a Multicaster that can multicast only some
// content: Messenger's batch carries one call per recipient, so content
// of several requests per recipient (an album and its buttons) goes one
// recipient at a time. MulticastsOf says whether c may be multicast.
type ContentMulticaster interface {
	MulticastsOf(c *herald.Content) bool
}

// PersonalMulticaster is a Multicaster whose request carries each
// recipient's own message (a Messenger batch: a body per call), so the
// engine multicasts personalised content and tracked links to it too,
// each recipient's in Message.Contents. Content of several requests per
// recipient still goes one by one (ContentMulticaster), judged for each
// recipient's own content.
type PersonalMulticaster interface {
	MulticastsPersonal() bool
}

// EachError is a Multicaster's answer when a request's recipients are
// answered one by one (a batch of calls): Errs[i] is how the call to
// Message.To[i] ended, in the terms of Sender (nil: sent, with message ID
// IDs[i]). It is returned whenever the answers are per recipient, all
// sent too, so that each keeps its own message ID. The engine records
// each final outcome and sends again only the recipients whose calls were
// temporary (counted as tries, with the usual backoff) or rate limited
// (after the limiter's slow-down, not counted); a call that did not
// complete is temporary: like a timed-out request, sending it again may
// deliver it twice.
type EachError struct {
	IDs  []string
	Errs []error
}

func (e *EachError) Error() string {
	failed := 0
	var first error
	for _, err := range e.Errs {
		if err != nil {
			if first == nil {
				first = err
			}
			failed++
		}
	}
	if failed == 0 {
		return fmt.Sprintf("all %d calls sent", len(e.Errs))
	}
	return fmt.Sprintf("%d of %d calls failed, the first: %v", failed, len(e.Errs), first)
}

// Events hears what runs do: herald.RunProgress as recipients are done and
// herald.RunFinished with the report (the one sink the admin chats, the
// scheduler and metrics subscribe to). Events come from the run's
// goroutine as things happen, unthrottled: frontends throttle. Publish
// must not block for long.
type Events interface {
	Publish(ctx context.Context, e herald.Event)
}
