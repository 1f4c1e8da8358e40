package flows

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/heraldbot/herald"
)

// Preview is the broadcast's message as one real member of its audience
// will get it, which the summary shows before the admin confirms. Each
// frontend renders it with the delivery code of a platform: the Telegram
// admin chat gets it sent through the Telegram sender, the console prints
// that sender's rendering, and Slack (no delivery platform) draws it in
// Block Kit. A frontend that cannot shows Reply.Text alone.
type Preview struct {
	// Content is personalised for Recipient as a run personalises it. URL
	// buttons carry their own targets (never tracked links); action
	// buttons must stay inert in the admin chat: a frontend sends
	// PreviewChoice as their data and answers a press on it itself.
	Content herald.Content
	// Recipient is whom Content is personalised for.
	Recipient herald.Subscriber
	// Channels are where the broadcast goes, for a frontend that says so.
	Channels []herald.Platform
}

// PreviewChoice is the data of a preview's action buttons instead of a
// broadcast's postback: a press on it is answered as a preview, and no
// tap is recorded.
const PreviewChoice = "preview"

// previewScan bounds how many members of the audience the preview looks
// at for a named user before taking the best one seen.
const previewScan = 200

// errPicked stops the scan once the preview's recipient is found.
var errPicked = errors.New("picked")

// previewRecipient picks whom the preview is personalised for: a member
// of d's audience who will get the message, preferably a named user on
// Telegram (the rendering the Telegram chat and the console show), else a
// named user, else anyone; ok is false for an empty audience.
func (t *turn) previewRecipient(d *herald.Broadcast) (sub herald.Subscriber, ok bool, err error) {
	if len(d.Audience.Channels) == 0 {
		return sub, false, nil
	}
	score := func(s *herald.Subscriber) int {
		n := 0
		if s.Kind != herald.KindGroup && s.Name != "" {
			n += 2
		}
		if s.Platform == herald.Telegram || !d.Audience.HasChannel(herald.Telegram) {
			n++
		}
		return n
	}
	best, seen := -1, 0
	err = t.e.cfg.Store.EachRecipient(&d.Audience, t.now, func(s *herald.Subscriber) error {
		if s.Platform == herald.Messenger && d.Category != herald.NonMarketing && !s.InWindow(t.now) {
			return nil // skipped by the run: not whom the message reaches
		}
		if n := score(s); n > best {
			best, sub = n, *s
			sub.Tags, sub.Attributes = slices.Clone(s.Tags), maps.Clone(s.Attributes) // s is reused
		}
		if seen++; best == 3 || seen >= previewScan {
			return errPicked
		}
		return nil
	})
	if err != nil && !errors.Is(err, errPicked) {
		return sub, false, fmt.Errorf("flows: pick preview recipient: %w", err)
	}
	return sub, best >= 0, nil
}

// summaryPreview posts the preview ahead of the summary, except after a
// test send, which leaves the one above as it is.
func (t *turn) summaryPreview(d *herald.Broadcast) error {
	if t.pressed() == "sum:test" {
		return nil
	}
	sub, ok, err := t.previewRecipient(d)
	if err != nil || !ok {
		return err
	}
	t.sayPreview(d, sub)
	return nil
}

// sayPreview posts the draft's real message, personalised for a member of
// its audience and named ("Preview for Alice Chen (Telegram)", "… (LINE ·
// Shop)" on a platform with several accounts), ahead of
// the summary; nothing when the audience is empty.
func (t *turn) sayPreview(d *herald.Broadcast, sub herald.Subscriber) {
	if d.Content.Kind == "" {
		return
	}
	name := sub.Name
	if name == "" {
		name = sub.ID
	}
	t.replies = append(t.replies, Reply{
		Text: t.T("preview.for", "Name", name, "Channel", t.e.accountLabel(herald.Account{Platform: sub.Platform, Name: sub.Account})),
		Preview: &Preview{Content: d.Content.PersonalizeFor(&sub), Recipient: sub,
			Channels: slices.Clone(d.Audience.Channels)},
	})
}
