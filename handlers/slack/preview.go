package slack

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// A preview's buttons: a link opens its target (Slack still reports the
// click, which is acknowledged and ignored); an action button is answered
// with "this is a preview". Neither reaches flows or records a tap.
const (
	actionPreview     = "pv:"
	actionPreviewLink = actionPreview + "link:"
	actionPreviewTap  = actionPreview + "tap:"
)

// postPreview posts a summary's preview in the thread. Slack is no
// delivery platform, so the message is drawn in Block Kit as people on
// the broadcast's channels get it: the line naming whom it is
// personalised for, the pictures, the title and text, the buttons, and
// the channels it goes to. "Send test to me" shows it on each platform.
func (h *Handler) postPreview(ctx context.Context, channel, thread, user string, r flows.Reply) error {
	opts := []slack.MsgOption{slack.MsgOptionText(fallback(r.Text), false), slack.MsgOptionBlocks(h.previewBlocks(r, user)...)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, _, err := h.api.PostMessageContext(ctx, channel, opts...); err != nil {
		return fmt.Errorf("slack: post preview: %w", err)
	}
	return nil
}

func (h *Handler) previewBlocks(r flows.Reply, user string) []slack.Block {
	p := r.Preview
	c := &p.Content
	out := []slack.Block{slack.NewSectionBlock(mrkdwn(escape(r.Text)), nil, nil), slack.NewDividerBlock()}
	switch c.Kind {
	case herald.CarouselContent:
		for i, k := range c.Cards {
			if i > 0 {
				out = append(out, slack.NewDividerBlock())
			}
			out = append(out, h.messageBlocks(c, []herald.Image{k.Image}, k.Title, k.Text, k.Spans, i)...)
		}
	case herald.CardContent:
		out = append(out, h.messageBlocks(c, c.Images[:min(len(c.Images), 1)], c.Title, c.Text, c.Spans, -1)...) // a card shows one picture
	default:
		out = append(out, h.messageBlocks(c, c.Images, "", c.Text, c.Spans, -1)...)
	}
	var chans []string
	for _, ch := range p.Channels {
		chans = append(chans, flows.PlatformName(ch))
	}
	if len(chans) > 0 {
		out = append(out, slack.NewDividerBlock(), slack.NewContextBlock("",
			mrkdwn("_"+escape(h.loc(user).T("slack.preview_channels", "Channels", strings.Join(chans, ", ")))+"_")))
	}
	return out[:min(len(out), maxBlocks)]
}

// messageBlocks draws one message of a preview (the whole message, or
// one card of a carousel): its pictures, its title in bold above its
// text with the formatting in mrkdwn (links open), and its buttons: the
// card's, or all of them when card is -1.
func (h *Handler) messageBlocks(c *herald.Content, images []herald.Image, title, text string, spans []herald.Span, card int) []slack.Block {
	var out []slack.Block
	for _, im := range images {
		u := im.URL
		if u == "" && im.MediaID != "" && h.opts.MediaURL != nil {
			u = h.opts.MediaURL(im.MediaID)
		}
		if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
			out = append(out, slack.NewImageBlock(u, cmp.Or(truncate(title, 2000), "🖼"), "", nil))
		}
	}
	body := herald.MarkupEscaped(text, spans, escape)
	if title != "" {
		body = strings.TrimSpace("*" + escape(title) + "*\n" + body)
	}
	for _, part := range splitRunes(body, maxSectionText) {
		if strings.TrimSpace(part) != "" {
			out = append(out, slack.NewSectionBlock(mrkdwn(part), nil, nil))
		}
	}
	var els []slack.BlockElement
	for i, b := range c.Buttons {
		if card >= 0 && b.Card != card || len(els) == maxPerActions {
			continue
		}
		label := slack.NewTextBlockObject(slack.PlainTextType, truncate(b.Label, maxButtonText), true, false)
		if b.Kind == herald.URLButton {
			els = append(els, slack.NewButtonBlockElement(actionPreviewLink+strconv.Itoa(i), "", label).WithURL(b.URL))
			continue
		}
		els = append(els, slack.NewButtonBlockElement(actionPreviewTap+strconv.Itoa(i), flows.PreviewChoice, label))
	}
	if len(els) > 0 {
		out = append(out, slack.NewActionBlock("", els...))
	}
	return out
}

// mrkdwn is a text object of Slack's markup; s must be escaped already.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, false)
}

// previewPress answers a press on a preview's button (an actionPreview
// action): an action button says it is a preview; a link opened in the
// browser and needs no answer.
func (h *Handler) previewPress(ctx context.Context, channel, thread, user, actionID string) {
	if strings.HasPrefix(actionID, actionPreviewTap) {
		h.ephemeral(ctx, channel, thread, user, h.loc(user).T("slack.preview_tap"))
	}
}
