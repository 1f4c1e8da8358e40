package adminchat

import (
	"slices"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// buttonReader is what the report's button section reads; *storage.Store
// (the Reporter's Broadcasts) has it, a store without it gets no section.
type buttonReader interface {
	flows.Engagement
	RunsOf(broadcastID string) ([]herald.Run, error)
}

// withButtons adds to the report's view what the broadcast's buttons and
// the links in its text did so far: unique tappers and clickers per
// button or link and their rate over delivered. A link with no clicks is
// left out: it may have gone out direct (no public_base_url), where
// "0 clicked" would mislead.
func (r *Reporter) withButtons(v view, rep *herald.Report) view {
	broadcastID := rep.BroadcastID
	br, ok := r.opts.Broadcasts.(buttonReader)
	if !ok {
		return v
	}
	b, err := r.opts.Broadcasts.Broadcast(broadcastID)
	if err != nil || len(b.Content.Buttons) == 0 && len(b.Content.TextLinks()) == 0 {
		return v
	}
	runs, err := br.RunsOf(broadcastID)
	if err == nil {
		var s flows.ButtonStats
		if s, err = flows.ReadButtonStats(br, &b, runs, true); err == nil {
			if len(s.Delivered) == 0 { // a run not in the store: this report's own
				for p, t := range rep.Channels {
					s.Delivered[p] = t.Sent
				}
			}
			clicked := map[string]bool{}
			for _, c := range s.Clicks {
				clicked[c.ButtonID] = c.Taps > 0
			}
			shown := func(btn herald.Button) bool { return btn.Kind == herald.ActionButton || clicked[btn.ID] }
			s.Buttons = slices.DeleteFunc(slices.Clone(s.Buttons), func(btn herald.Button) bool { return !shown(btn) })
			s.Links = slices.DeleteFunc(s.Links, func(btn herald.Button) bool { return !shown(btn) })
			v.buttons = &s
		}
	}
	if err != nil {
		r.opts.Logger.Warn("adminchat: read button stats", "broadcast_id", broadcastID, "error", err)
	}
	return v
}

// buttonSection is the report's lines on the buttons, or "".
func buttonSection(v view) string {
	if v.buttons == nil || len(v.buttons.Buttons)+len(v.buttons.Links) == 0 {
		return ""
	}
	return "\n\n" + v.loc.T("report.buttons") + "\n" + strings.Join(v.buttons.Lines(v.loc, false), "\n")
}
