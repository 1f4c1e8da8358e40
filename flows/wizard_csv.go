package flows

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

// csvDropShown bounds the dropped IDs named in the chat; the attached CSV
// lists them all.
const csvDropShown = 5

// Why an ID of an uploaded list is left out of the audience.
const (
	dropUnknown      = "unknown"        // nobody Herald has met
	dropBlocked      = "blocked"        // blocked the bot
	dropUnsubscribed = "unsubscribed"   // said stop, or unfollowed
	dropOtherChannel = "other_platform" // a channel this broadcast does not use
	dropNoPlatform   = "no_platform"    // a bare ID with several channels chosen
)

// dropKeys names each reason's message, in the order the summary lists them.
var dropKeys = []struct{ reason, key string }{
	{dropUnknown, "wizard.csv.drop.unknown"},
	{dropBlocked, "wizard.csv.drop.blocked"},
	{dropUnsubscribed, "wizard.csv.drop.unsubscribed"},
	{dropOtherChannel, "wizard.csv.drop.other_platform"},
	{dropNoPlatform, "wizard.csv.drop.no_platform"},
}

// csvDrop is one ID of the upload left out, and why.
type csvDrop struct {
	line   int
	key    herald.SubscriberKey
	reason string
}

func askCSV(t *turn) error {
	text := t.T("wizard.csv.ask")
	var cs []Choice
	if len(t.sess.Draft.Audience.Selected) > 0 {
		cs = append(cs, t.choice("csv:clear", t.T("btn.clear_csv")))
	}
	t.prompt(text, ExpectFile, cs...)
	return nil
}

func handleCSV(t *turn) error {
	a := &t.sess.Draft.Audience
	if t.pressed() == "csv:clear" {
		a.Selected, a.SelectedPlatform = nil, ""
		return t.back()
	}
	f := t.in.File
	if f == nil {
		return t.fail(t.T("err.csv.no_file"))
	}
	list, err := audience.ParseIDs(bytes.NewReader(f.Data), t.e.cfg.CSVMaxBytes)
	var perr *audience.ParseError
	switch {
	case errors.As(err, &perr) && perr.Kind == audience.ErrTooLarge:
		return t.fail(t.T("err.csv.too_big", "MaxMB", max(1, perr.Limit>>20)))
	case errors.As(err, &perr) && perr.Kind == audience.ErrNotUTF8:
		return t.fail(t.T("err.csv.not_utf8", "Line", perr.Line))
	case errors.As(err, &perr) && perr.Kind == audience.ErrNoIDs:
		return t.fail(t.T("err.csv.empty"))
	case err != nil:
		return fmt.Errorf("flows: read csv: %w", err)
	}
	keys, drops, err := t.selectIDs(list, a)
	if err != nil {
		return err
	}
	if len(keys) == 0 && len(drops) > 0 {
		// Nothing usable: say what is wrong with the first line.
		switch d := drops[0]; d.reason {
		case dropNoPlatform:
			return t.fail(t.T("err.csv.need_platform", "Line", d.line))
		case dropOtherChannel:
			return t.fail(t.T("err.csv.wrong_channel", "Line", d.line, "Channels", t.channelList()))
		}
	}
	setSelected(a, keys)
	t.say(t.N("wizard.csv.loaded", len(keys), "Platform", t.selectedPlatforms(a)))
	if list.MalformedCount > 0 {
		t.say(t.N("wizard.csv.skipped", list.MalformedCount, "Line", list.Malformed[0].Line))
	}
	if len(drops) > 0 {
		t.replies = append(t.replies, t.dropReport(drops))
	}
	return t.back()
}

// selectIDs sorts the parsed entries into the keys kept and the ones
// dropped: on a channel the broadcast does not use, without a channel,
// unknown to Herald, blocked or unsubscribed. An ID without an account
// is looked up on each account the audience takes on its platform.
func (t *turn) selectIDs(list audience.IDList, a *herald.Audience) ([]herald.SubscriberKey, []csvDrop, error) {
	channels := a.Channels
	var keys []herald.SubscriberKey
	var drops []csvDrop
	for _, e := range list.Entries {
		k := herald.SubscriberKey{Platform: e.Platform, Account: e.Account, ID: e.ID}
		if k.Platform == "" && len(channels) == 1 {
			k.Platform = channels[0]
		}
		why := ""
		switch {
		case k.Platform == "":
			why = dropNoPlatform
		case !slices.Contains(channels, k.Platform):
			why = dropOtherChannel
		default:
			sub, err := t.findSelected(a, k)
			switch {
			case errors.Is(err, herald.ErrNotFound):
				why = dropUnknown
			case err != nil:
				return nil, nil, fmt.Errorf("flows: csv lookup %s: %w", k, err)
			case sub.State == herald.Blocked:
				why = dropBlocked
			case sub.State == herald.Unsubscribed:
				why = dropUnsubscribed
			}
			k.Account = sub.Account // the account it was found on
		}
		if why != "" {
			drops = append(drops, csvDrop{line: e.Line, key: k, reason: why})
			continue
		}
		keys = append(keys, k)
	}
	return keys, drops, nil
}

// setSelected stores the kept keys: bare IDs when they are all on one
// platform, "platform:id" keys across several.
func setSelected(a *herald.Audience, keys []herald.SubscriberKey) {
	a.Selected, a.SelectedPlatform = nil, ""
	for _, k := range keys {
		if k.Platform != keys[0].Platform {
			for _, k := range keys {
				a.Selected = append(a.Selected, k.String())
			}
			slices.Sort(a.Selected)
			a.Selected = slices.Compact(a.Selected)
			return
		}
	}
	for _, k := range keys {
		a.Selected = append(a.Selected, k.ID)
	}
	if len(keys) > 0 {
		a.SelectedPlatform = keys[0].Platform
	}
	slices.Sort(a.Selected)
	a.Selected = slices.Compact(a.Selected)
}

// selectedPlatforms names the platforms of the Selected list.
func (t *turn) selectedPlatforms(a *herald.Audience) string {
	if a.SelectedPlatform != "" {
		return PlatformName(a.SelectedPlatform)
	}
	var names []string
	for _, p := range herald.Platforms {
		if slices.ContainsFunc(a.Selected, func(s string) bool { k, err := herald.ParseSubscriberKey(s); return err == nil && k.Platform == p }) {
			names = append(names, PlatformName(p))
		}
	}
	return t.joinList(names)
}

// pruneSelected drops the Selected entries on channels the audience no
// longer has; it reports whether any went.
func pruneSelected(a *herald.Audience) bool {
	if len(a.Selected) == 0 {
		return false
	}
	if a.SelectedPlatform != "" {
		if a.HasChannel(a.SelectedPlatform) {
			return false
		}
		a.Selected, a.SelectedPlatform = nil, ""
		return true
	}
	n := len(a.Selected)
	a.Selected = slices.DeleteFunc(a.Selected, func(s string) bool {
		k, err := herald.ParseSubscriberKey(s)
		return err != nil || !a.HasChannel(k.Platform)
	})
	if len(a.Selected) == 0 {
		a.Selected = nil
	}
	return len(a.Selected) < n
}

// dropReport says how many IDs were left out for each reason, names the
// first few, and attaches them all as a CSV (line, platform, id, reason).
func (t *turn) dropReport(drops []csvDrop) Reply {
	var b strings.Builder
	b.WriteString(t.N("wizard.csv.dropped", len(drops)))
	for _, dk := range dropKeys {
		n := 0
		for _, d := range drops {
			if d.reason == dk.reason {
				n++
			}
		}
		if n > 0 {
			b.WriteString("\n" + t.T("count.item", "What", t.T(dk.key), "Count", FormatCount(n)))
		}
	}
	for i, d := range drops[:min(len(drops), csvDropShown)] {
		if i == 0 {
			b.WriteString("\n")
		}
		b.WriteString("\n" + t.T("wizard.csv.drop_line", "Line", d.line, "ID", d.key.ID, "Reason", t.T(dropKey(d.reason))))
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"line", "platform", "id", "reason"})
	for _, d := range drops {
		_ = cw.Write([]string{strconv.Itoa(d.line), string(d.key.Platform), d.key.ID, d.reason})
	}
	cw.Flush()
	return Reply{Text: b.String(), File: &File{Name: "dropped-ids.csv", ContentType: "text/csv", Data: buf.Bytes()}}
}

func dropKey(reason string) string {
	for _, dk := range dropKeys {
		if dk.reason == reason {
			return dk.key
		}
	}
	return dropKeys[0].key
}
