package slack

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/heraldbot/herald/flows"
)

// onCommand starts a conversation from "/herald new": Herald posts a
// thread root in the channel and the wizard continues in that thread.
func (h *Handler) onCommand(ctx context.Context, cmd slack.SlashCommand) {
	text := commandText(cmd.Text)
	h.enqueue(ctx, convKey{cmd.ChannelID, cmd.UserID}, func(ctx context.Context) {
		if !h.mayAct(ctx, cmd.ChannelID, cmd.UserID) {
			h.refuse(ctx, cmd.ChannelID, "", cmd.UserID, text)
			return
		}
		root := h.loc(cmd.UserID).T("slack.thread_started", "User", cmd.UserID, "Command", cmd.Command+" "+cmd.Text)
		_, ts, err := h.api.PostMessageContext(ctx, cmd.ChannelID, slack.MsgOptionText(root, false))
		if err != nil {
			h.log.Warn("slack: start thread", "channel", cmd.ChannelID, "error", err)
			return
		}
		h.mu.Lock()
		h.threads[chatID(cmd.ChannelID, ts)] = true
		h.mu.Unlock()
		h.converse(ctx, cmd.ChannelID, ts, flows.Input{UserID: cmd.UserID, UserName: cmd.UserName, Text: text}, nil)
	})
}

// commandText turns the slash command's argument into a flows command:
// "" → /help, "new" → /new, "pause B-1" → /pause B-1.
func commandText(arg string) string {
	arg = strings.TrimSpace(arg)
	switch {
	case arg == "":
		return "/help"
	case strings.HasPrefix(arg, "/"):
		return arg
	}
	return "/" + arg
}

// commandWords are flows' commands. Slack keeps "/…" for its own slash
// commands, so in a DM or a mention "new" or "pause B-7K2Q" is typed
// without the slash.
var commandWords = []string{"new", "list", "show", "pause", "resume", "cancel", "approve", "reject", "edit", "clone",
	"undo", "delete", "errors", "log", "find", "audience", "lang", "tz", "testme", "help"}

// asCommand adds the slash to text that starts with a command word.
func asCommand(text string) string {
	word, _, _ := strings.Cut(strings.TrimSpace(text), " ")
	if slices.Contains(commandWords, strings.ToLower(word)) {
		return "/" + strings.TrimSpace(text)
	}
	return text
}

// onInteraction handles a button press, a "Use this time" under the date
// and time pickers, or a change of a multi-select menu (block_actions).
// A pick in a date or time picker alone is only acknowledged: the pair is
// read from the message's state when "Use this time" is pressed.
func (h *Handler) onInteraction(ctx context.Context, cb *slack.InteractionCallback) {
	if cb.Type != slack.InteractionTypeBlockActions || len(cb.ActionCallback.BlockActions) == 0 {
		return
	}
	act := cb.ActionCallback.BlockActions[0]
	if act.ActionID == actionDate || act.ActionID == actionTime {
		return
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	thread := cb.Container.ThreadTs
	if thread == "" {
		thread = cb.Message.ThreadTimestamp
	}
	user := cb.User.ID
	if strings.HasPrefix(act.ActionID, actionPreview) {
		h.enqueue(ctx, convKey{chatID(channel, thread), user}, func(ctx context.Context) {
			h.previewPress(ctx, channel, thread, user, act.ActionID)
		})
		return
	}
	pressed := &pressedMsg{ts: cb.Container.MessageTs, choice: act.Value, owner: blockOwner(act.BlockID), blocks: cb.Message.Blocks}
	if pressed.ts == "" {
		pressed.ts = cb.Message.Timestamp
	}
	h.enqueue(ctx, convKey{chatID(channel, thread), user}, func(ctx context.Context) {
		if !h.mayAct(ctx, channel, user) {
			h.refuse(ctx, channel, thread, user, cmp.Or(act.Value, act.ActionID))
			return
		}
		if pressed.owner != "" && pressed.owner != user {
			h.ephemeral(ctx, channel, thread, user, h.loc(user).T("slack.not_your_wizard"))
			return
		}
		in := flows.Input{UserID: user, UserName: cb.User.Name}
		offered, shown, hasMenu := menuOf(cb.Message.Blocks)
		switch act.ActionID {
		case actionUse:
			when, ok := pickedWhen(cb, act.BlockID)
			if !ok {
				h.ephemeral(ctx, channel, thread, user, h.loc(user).T("slack.pick_both", "Example", h.opts.Now().AddDate(0, 0, 1).Format("2006-01-02")+" 09:00"))
				return
			}
			pressed.choice, in.Text = when, when
			h.converse(ctx, channel, thread, in, pressed)
		case actionMulti:
			var labels []string
			for _, o := range act.SelectedOptions {
				if o.Text != nil {
					labels = append(labels, o.Text.Text)
				}
			}
			pressed.choice = strings.Join(labels, ", ") // shown if flows refuses the selection
			h.applySelection(ctx, channel, thread, in, offered, shown, optionValues(act.SelectedOptions), "", pressed)
		default:
			// A press under a menu first applies a selection flows may
			// not have seen (its event lost on the way).
			if want, ok := menuState(cb); ok && hasMenu {
				h.applySelection(ctx, channel, thread, in, offered, shown, want, act.Value, pressed)
				return
			}
			in.Choice = act.Value
			h.converse(ctx, channel, thread, in, pressed)
		}
	})
}

// onEventsAPI handles mentions and messages: a mention starts a thread on
// the mentioning message, a DM is a conversation of its own, and a message
// (or file) in one of Herald's threads continues that thread's wizard.
// Other channel messages are chatter and are ignored.
func (h *Handler) onEventsAPI(ctx context.Context, data any) {
	ev, ok := data.(slackevents.EventsAPIEvent)
	if !ok || ev.Type != slackevents.CallbackEvent {
		return
	}
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" {
			return
		}
		thread := e.ThreadTimeStamp
		if thread == "" {
			thread = e.TimeStamp
		}
		h.message(ctx, e.Channel, thread, e.User, asCommand(h.stripMention(ctx, e.Text)), nil, true)
	case *slackevents.MessageEvent:
		if e.BotID != "" || e.User == "" || e.User == h.bot(ctx) || (e.SubType != "" && e.SubType != "file_share") {
			return
		}
		var files []slack.File
		if e.Message != nil {
			files = e.Message.Files
		}
		if e.ChannelType == slackevents.ChannelTypeIM {
			h.message(ctx, e.Channel, "", e.User, asCommand(e.Text), files, true)
			return
		}
		if e.ThreadTimeStamp == "" || strings.Contains(e.Text, "<@"+h.bot(ctx)+">") {
			return // chatter, or a mention: app_mention handles that
		}
		h.mu.Lock()
		ours := h.threads[chatID(e.Channel, e.ThreadTimeStamp)]
		h.mu.Unlock()
		if ours || (e.Message != nil && e.Message.ParentUserId == h.bot(ctx)) {
			h.message(ctx, e.Channel, e.ThreadTimeStamp, e.User, e.Text, files, false)
		}
	}
}

// message handles text or an uploaded file from user.
func (h *Handler) message(ctx context.Context, channel, thread, user, text string, files []slack.File, start bool) {
	h.enqueue(ctx, convKey{chatID(channel, thread), user}, func(ctx context.Context) {
		if !h.mayAct(ctx, channel, user) {
			h.refuse(ctx, channel, thread, user, text)
			return
		}
		if start && thread != "" {
			h.mu.Lock()
			h.threads[chatID(channel, thread)] = true
			h.mu.Unlock()
		}
		in := flows.Input{UserID: user, Text: strings.TrimSpace(text)}
		if len(files) > 0 {
			f, err := h.download(ctx, &files[0])
			if err != nil {
				h.log.Warn("slack: download upload", "channel", channel, "error", err)
				h.ephemeral(ctx, channel, thread, user, h.loc(user).T("slack.file_failed"))
				return
			}
			in.Text, in.File = "", f
		}
		if in.Text == "" && in.File == nil {
			in.Text = "/help"
		}
		h.converse(ctx, channel, thread, in, nil)
	})
}

// converse hands input to flows and renders the replies in the thread.
func (h *Handler) converse(ctx context.Context, channel, thread string, in flows.Input, pressed *pressedMsg) {
	in.Frontend, in.ChatID = Frontend, chatID(channel, thread)
	replies, err := h.opts.Flows.Handle(ctx, in)
	if err != nil {
		h.log.Error("slack: flows", "channel", channel, "error", err)
	}
	h.deliver(ctx, channel, thread, in.UserID, pressed, replies)
}

func (h *Handler) stripMention(ctx context.Context, text string) string {
	if b := h.bot(ctx); b != "" {
		text = strings.ReplaceAll(text, "<@"+b+">", "")
	}
	return strings.TrimSpace(text)
}

// download fetches a file shared in the thread with the bot token.
func (h *Handler) download(ctx context.Context, f *slack.File) (*flows.File, error) {
	if int64(f.Size) > h.opts.MaxFile {
		return nil, fmt.Errorf("slack: file of %d bytes is over the limit", f.Size)
	}
	url := f.URLPrivateDownload
	if url == "" {
		url = f.URLPrivate
	}
	var buf bytes.Buffer
	if err := h.api.GetFileContext(ctx, url, &limitWriter{w: &buf, left: h.opts.MaxFile}); err != nil {
		return nil, fmt.Errorf("slack: download %s: %w", f.ID, err)
	}
	ct := f.Mimetype
	if ct == "" {
		ct = http.DetectContentType(buf.Bytes())
	}
	return &flows.File{Name: f.Name, ContentType: ct, Data: buf.Bytes()}, nil
}

// limitWriter fails once more than left bytes are written.
type limitWriter struct {
	w    *bytes.Buffer
	left int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.left {
		return 0, fmt.Errorf("slack: file is over the size limit")
	}
	l.left -= int64(len(p))
	return l.w.Write(p)
}

func (h *Handler) ephemeral(ctx context.Context, channel, thread, user, text string) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, err := h.api.PostEphemeralContext(ctx, channel, user, opts...); err != nil {
		h.log.Warn("slack: post ephemeral", "channel", channel, "error", err)
	}
}
