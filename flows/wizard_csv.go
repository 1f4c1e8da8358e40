package flows

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
)

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
	pl, ids, line, key := selectIDs(list, a.Channels)
	if key != "" {
		return t.fail(t.T(key, "Line", line, "Channels", t.channelList()))
	}
	a.Selected, a.SelectedPlatform = ids, pl
	t.say(t.N("wizard.csv.loaded", len(ids), "Platform", PlatformName(pl)))
	if list.MalformedCount > 0 {
		t.say(t.N("wizard.csv.skipped", list.MalformedCount, "Line", list.Malformed[0].Line))
	}
	return t.back()
}

// selectIDs turns parsed entries into one platform's ID list: cells are
// "platform:id", or bare IDs when one channel is chosen. On a problem it
// returns the 1-based line and a message key.
func selectIDs(list audience.IDList, channels []herald.Platform) (herald.Platform, []string, int, string) {
	var pl herald.Platform
	ids := make([]string, 0, len(list.Entries))
	for _, e := range list.Entries {
		p := e.Platform
		if p == "" {
			if len(channels) != 1 {
				return "", nil, e.Line, "err.csv.need_platform"
			}
			p = channels[0]
		}
		if !slices.Contains(channels, p) {
			return "", nil, e.Line, "err.csv.wrong_channel"
		}
		if pl != "" && p != pl {
			return "", nil, e.Line, "err.csv.mixed"
		}
		pl = p
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return pl, slices.Compact(ids), 0, ""
}
