package slack

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/heraldbot/herald/flows"
)

// Block Kit inputs beyond buttons: a date picker and a time picker where
// flows asks for a date and time, and a menu for a long multi-select.
// Their action IDs tell their events from choice buttons ("c0", "c1", …).
const (
	actionDate  = "pick_date"
	actionTime  = "pick_time"
	actionUse   = "pick_use"
	actionMulti = "pick_many"
)

// A multi-select with more toggles than maxToggleButtons is drawn as one
// multi_static_select menu: three channels read best as three buttons, a
// dozen tags as a row of buttons do not. Slack allows 100 options.
const (
	maxToggleButtons = 5
	maxMenuOptions   = 100
	maxOptionText    = 75
)

// pickerBlock offers a date picker and a time picker prefilled with
// flows' suggestion, and a button that sends the picked pair as the text
// flows reads ("2026-12-01 09:00"). Picking alone sends nothing: Slack
// reports each picker on its own, and half a date-time is no answer.
func (h *Handler) pickerBlock(d *flows.DateTimeHint, owner string) slack.Block {
	loc := h.loc(owner)
	day, clock, _ := strings.Cut(d.Initial, " ")
	date := slack.NewDatePickerBlockElement(actionDate)
	date.InitialDate = day
	date.Placeholder = slack.NewTextBlockObject(slack.PlainTextType, loc.T("slack.pick_date"), false, false)
	tm := slack.NewTimePickerBlockElement(actionTime)
	tm.InitialTime = clock
	if _, err := time.LoadLocation(d.Zone); err == nil && d.Zone != "" && d.Zone != "Local" {
		tm.Timezone = d.Zone // shown under the picker; Slack refuses names it does not know
	}
	tm.Placeholder = slack.NewTextBlockObject(slack.PlainTextType, loc.T("slack.pick_time"), false, false)
	use := slack.NewButtonBlockElement(actionUse, actionUse,
		slack.NewTextBlockObject(slack.PlainTextType, truncate(loc.T("slack.use_time"), maxButtonText), true, false))
	use.Style = slack.StylePrimary
	return slack.NewActionBlock(h.blockID(owner), date, tm, use)
}

// toggles splits a multi-select's toggles from the choices after them
// (Done, Back, Cancel); for other replies every choice is in rest.
func toggles(r flows.Reply) (toggles, rest []flows.Choice) {
	i := slices.IndexFunc(r.Choices, func(c flows.Choice) bool { return c.ID == flows.DoneChoice })
	if !r.Multi || i < 0 {
		return nil, r.Choices
	}
	return r.Choices[:i], r.Choices[i:]
}

// usesMenu reports whether r's toggles are drawn as a menu.
func usesMenu(r flows.Reply) bool {
	t, _ := toggles(r)
	return len(t) > maxToggleButtons && len(t) <= maxMenuOptions
}

// menuBlock draws a multi-select's toggles as a multi_static_select whose
// options' values are the toggles' choice IDs, the checked ones selected.
func (h *Handler) menuBlock(ts []flows.Choice, owner string) slack.Block {
	var opts, chosen []*slack.OptionBlockObject
	for _, c := range ts {
		o := slack.NewOptionBlockObject(c.ID, slack.NewTextBlockObject(slack.PlainTextType, truncate(c.Label, maxOptionText), true, false), nil)
		opts = append(opts, o)
		if c.Checked {
			chosen = append(chosen, o)
		}
	}
	placeholder := slack.NewTextBlockObject(slack.PlainTextType, h.loc(owner).T("slack.choose"), false, false)
	menu := slack.NewOptionsMultiSelectBlockElement(slack.MultiOptTypeStatic, placeholder, actionMulti, opts...)
	menu.InitialOptions = chosen
	return slack.NewActionBlock(h.blockID(owner), menu)
}

// remember notes which toggles flows showed checked in r, the latest
// multi-select of conversation k; any other prompt ends the multi-select.
func (h *Handler) remember(k convKey, r flows.Reply) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !r.Multi {
		if r.Expect != flows.ExpectNothing {
			delete(h.toggles, k)
		}
		return
	}
	h.toggles[k] = checkedIDs(r)
}

func checkedIDs(r flows.Reply) map[string]bool {
	ts, _ := toggles(r)
	out := map[string]bool{}
	for _, c := range ts {
		if c.Checked {
			out[c.ID] = true
		}
	}
	return out
}

// menuOf finds the multi-select menu in a message: its options' values
// in order and the ones it showed selected.
func menuOf(blocks slack.Blocks) (offered []string, shown map[string]bool, ok bool) {
	for _, b := range blocks.BlockSet {
		a, isActions := b.(*slack.ActionBlock)
		if !isActions {
			continue
		}
		for _, el := range a.Elements.ElementSet {
			m, isMenu := el.(*slack.MultiSelectBlockElement)
			if !isMenu || m.ActionID != actionMulti {
				continue
			}
			shown = map[string]bool{}
			for _, o := range m.Options {
				offered = append(offered, o.Value)
			}
			for _, o := range m.InitialOptions {
				shown[o.Value] = true
			}
			return offered, shown, true
		}
	}
	return nil, nil, false
}

// menuState is the menu's selection as the user's client holds it in
// state.values (a press of Done after picking carries it).
func menuState(cb *slack.InteractionCallback) (map[string]bool, bool) {
	if cb.BlockActionState == nil {
		return nil, false
	}
	for _, actions := range cb.BlockActionState.Values {
		if a, ok := actions[actionMulti]; ok {
			return optionValues(a.SelectedOptions), true
		}
	}
	return nil, false
}

func optionValues(opts []slack.OptionBlockObject) map[string]bool {
	out := map[string]bool{}
	for _, o := range opts {
		out[o.Value] = true
	}
	return out
}

// pickedWhen reads the date and time picked in the block of the pressed
// "Use this time" button, falling back to the pickers' initial values,
// as the text flows parses.
func pickedWhen(cb *slack.InteractionCallback, blockID string) (string, bool) {
	var date, clock string
	if cb.BlockActionState != nil {
		date = cb.BlockActionState.Values[blockID][actionDate].SelectedDate
		clock = cb.BlockActionState.Values[blockID][actionTime].SelectedTime
	}
	for _, b := range cb.Message.Blocks.BlockSet {
		a, ok := b.(*slack.ActionBlock)
		if !ok || a.BlockID != blockID {
			continue
		}
		for _, el := range a.Elements.ElementSet {
			switch p := el.(type) {
			case *slack.DatePickerBlockElement:
				date = cmp.Or(date, p.InitialDate)
			case *slack.TimePickerBlockElement:
				clock = cmp.Or(clock, p.InitialTime)
			}
		}
	}
	return date + " " + clock, date != "" && clock != ""
}

// applySelection makes flows' toggles equal want, the menu's selection,
// by pressing toggles (flows knows only toggle presses): each time the
// first one that differs from flows' state, which flows shows again after
// every press. Starting from a stale state (the menu as Slack last drew
// it, when this process has not seen the conversation) costs a wasted
// press, not a wrong result. Then it presses then, if any, and shows
// flows' last answer; a toggle flows refuses (a stale menu) stops it and
// shows why.
func (h *Handler) applySelection(ctx context.Context, channel, thread string, in flows.Input, offered []string,
	shown, want map[string]bool, then string, pressed *pressedMsg) {
	key := convKey{chatID(channel, thread), in.UserID}
	h.mu.Lock()
	cur, known := h.toggles[key]
	h.mu.Unlock()
	if !known {
		cur = shown // after a restart: the menu as it was drawn
	}
	in.Frontend, in.ChatID = Frontend, key.chat
	var replies []flows.Reply
	for range 2*len(offered) + 1 { // each toggle is pressed at most twice
		i := slices.IndexFunc(offered, func(id string) bool { return want[id] != cur[id] })
		if i < 0 {
			break
		}
		in.Choice = offered[i]
		rs, err := h.opts.Flows.Handle(ctx, in)
		if err != nil {
			h.log.Error("slack: flows", "channel", channel, "error", err)
		}
		replies = rs
		j := slices.IndexFunc(rs, func(r flows.Reply) bool { return r.Multi })
		if err != nil || j < 0 {
			h.deliver(ctx, channel, thread, in.UserID, pressed, rs)
			return
		}
		cur = checkedIDs(rs[j])
	}
	if then != "" {
		in.Choice = then
		h.converse(ctx, channel, thread, in, pressed)
		return
	}
	h.deliver(ctx, channel, thread, in.UserID, pressed, replies)
}
