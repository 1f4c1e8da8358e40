package slack

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Block Kit limits Herald's rendering respects.
const (
	maxSectionText = 3000
	maxButtonText  = 75
	maxPerActions  = 25
	maxBlocks      = 50
)

// pressedMsg is the message whose button started this turn.
type pressedMsg struct {
	ts     string
	choice string
	owner  string // the admin whose wizard it is; "" for progress and reports
	blocks slack.Blocks
}

// deliver renders flows replies in the thread. The first reply marked Edit
// replaces the pressed message (chat.update); otherwise a pressed wizard
// message loses its buttons and shows what was chosen.
func (h *Handler) deliver(ctx context.Context, channel, thread, user string, pressed *pressedMsg, replies []flows.Reply) {
	edited := false
	for _, r := range replies {
		if r.Preview != nil {
			if err := h.postPreview(ctx, channel, thread, user, r); err != nil {
				h.log.Warn("slack: post preview", "channel", channel, "error", err)
			}
			continue
		}
		h.remember(convKey{chatID(channel, thread), user}, r)
		if r.Edit && pressed != nil && !edited && r.File == nil {
			edited = true
			if err := h.update(ctx, channel, pressed.ts, user, r); err == nil {
				continue
			}
		}
		if !edited && pressed != nil && pressed.owner != "" {
			edited = true
			h.markChosen(ctx, channel, pressed)
		}
		ts, err := h.post(ctx, channel, thread, user, r)
		if err != nil {
			h.log.Warn("slack: post reply", "channel", channel, "error", err)
			continue
		}
		if r.Undo != "" {
			h.opts.Offers.Offered(r.Undo, herald.Origin{Frontend: Frontend, ChatID: chatID(channel, thread), UserID: user}, ts)
		}
	}
}

// post sends one reply into the thread (a file upload when it has one)
// and returns its ts.
func (h *Handler) post(ctx context.Context, channel, thread, owner string, r flows.Reply) (string, error) {
	if r.File != nil {
		_, err := h.api.UploadFileContext(ctx, slack.UploadFileParameters{Reader: bytes.NewReader(r.File.Data),
			FileSize: len(r.File.Data), Filename: r.File.Name, Title: r.File.Name, Channel: channel,
			ThreadTimestamp: thread, InitialComment: r.Text})
		if err != nil {
			return "", fmt.Errorf("slack: upload %s: %w", r.File.Name, err)
		}
		if len(r.Choices) == 0 {
			return "", nil
		}
		r.Text = "" // said with the file; the buttons follow
	}
	opts := []slack.MsgOption{slack.MsgOptionText(fallback(r.Text), false), slack.MsgOptionBlocks(h.blocks(r, owner)...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	_, ts, err := h.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", fmt.Errorf("slack: post: %w", err)
	}
	return ts, nil
}

func (h *Handler) update(ctx context.Context, channel, ts, owner string, r flows.Reply) error {
	_, _, _, err := h.api.UpdateMessageContext(ctx, channel, ts,
		slack.MsgOptionText(fallback(r.Text), false), slack.MsgOptionBlocks(h.blocks(r, owner)...))
	if err != nil {
		return fmt.Errorf("slack: update: %w", err)
	}
	return nil
}

// markChosen swaps the buttons of a pressed wizard message for a line
// saying what was chosen.
func (h *Handler) markChosen(ctx context.Context, channel string, p *pressedMsg) {
	label := p.choice
	var kept []slack.Block
	for _, b := range p.blocks.BlockSet {
		a, ok := b.(*slack.ActionBlock)
		if !ok {
			kept = append(kept, b)
			continue
		}
		for _, el := range a.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok && btn.Value == p.choice && btn.Text != nil {
				label = btn.Text.Text
			}
		}
	}
	kept = append(kept, slack.NewSectionBlock(mrkdwn("→ "+escape(label)), nil, nil))
	if _, _, _, err := h.api.UpdateMessageContext(ctx, channel, p.ts, slack.MsgOptionText("→ "+label, false), slack.MsgOptionBlocks(kept...)); err != nil {
		h.log.Warn("slack: mark choice", "channel", channel, "error", err)
	}
}

// blocks renders a reply: its text in sections (a code block when
// preformatted), date and time pickers when it asks for a date-time, a
// menu for a long multi-select, then its choices as buttons. Action
// blocks' IDs carry the owner, so a press by another admin is recognised
// and refused.
func (h *Handler) blocks(r flows.Reply, owner string) []slack.Block {
	var out []slack.Block
	text := mrkdwnText(r)
	if r.Pre {
		text = "```" + r.Text + "```"
	}
	for _, part := range splitRunes(text, maxSectionText) {
		if strings.TrimSpace(part) == "" {
			continue
		}
		out = append(out, slack.NewSectionBlock(mrkdwn(part), nil, nil))
	}
	choices := r.Choices
	if r.DateTime != nil {
		out = append(out, h.pickerBlock(r.DateTime, owner))
	}
	if usesMenu(r) {
		var ts []flows.Choice
		ts, choices = toggles(r)
		out = append(out, h.menuBlock(ts, owner))
	}
	var els []slack.BlockElement
	flush := func() {
		if len(els) > 0 {
			out = append(out, slack.NewActionBlock(h.blockID(owner), els...))
			els = nil
		}
	}
	for i, c := range choices {
		label := c.Label
		if c.Checked {
			label = "✅ " + label
		}
		btn := slack.NewButtonBlockElement("c"+strconv.Itoa(i), c.ID,
			slack.NewTextBlockObject(slack.PlainTextType, truncate(label, maxButtonText), true, false))
		if c.Checked {
			btn.Style = slack.StylePrimary
		}
		els = append(els, btn)
		if len(els) == maxPerActions {
			flush()
		}
	}
	flush()
	if len(out) > maxBlocks {
		out = out[:maxBlocks]
	}
	return out
}

// blockID is unique per rendered block and names the wizard's owner:
// "h:<user>:<n>" ("h::<n>" for messages any admin may press).
func (h *Handler) blockID(owner string) string {
	h.mu.Lock()
	h.blockN++
	n := h.blockN
	h.mu.Unlock()
	return "h:" + owner + ":" + strconv.Itoa(n)
}

// blockOwner reads the owner back from a block ID.
func blockOwner(id string) string {
	rest, ok := strings.CutPrefix(id, "h:")
	if !ok {
		return ""
	}
	owner, _, _ := strings.Cut(rest, ":")
	return owner
}

// Post implements adminchat.Surface: a progress or report message in the
// thread the broadcast was made in, open to every admin's presses.
func (h *Handler) Post(ctx context.Context, o herald.Origin, r flows.Reply) (string, error) {
	channel, thread := splitChat(o.ChatID)
	if o.ThreadID != "" {
		thread = o.ThreadID
	}
	return h.post(ctx, channel, thread, "", r)
}

// Edit implements adminchat.Surface.
func (h *Handler) Edit(ctx context.Context, o herald.Origin, ts string, r flows.Reply) error {
	channel, _ := splitChat(o.ChatID)
	return h.update(ctx, channel, ts, "", r)
}

// mrkdwnText is a reply's text for a mrkdwn block: prose escaped, so it
// reads as written (/help's <https://example.com|link words> stays text),
// and the broadcast's own text (flows.Reply.Markup) in mrkdwn, so its
// links are links, as its words are bold or italic.
func mrkdwnText(r flows.Reply) string {
	return r.Render(escape, func(text string, spans []herald.Span) string { return herald.MarkupEscaped(text, spans, escape) })
}

// escape makes text safe for mrkdwn: &, < and > are control characters.
func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// fallback is the notification text of a message (blocks carry the rest).
func fallback(s string) string { return truncate(s, 300) }

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func splitRunes(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}
