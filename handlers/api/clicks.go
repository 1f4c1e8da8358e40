package api

import "github.com/heraldbot/herald"

// clicksJSON is each URL button's tracked clicks, then each link's in
// the text (button_id "link1"…, labelled by its words or address), beside
// the action buttons' taps: "taps" counts every visit, "unique" the
// recipients. A broadcast sent without public_base_url has zeros (links
// went direct).
func (s *Server) clicksJSON(b *herald.Broadcast) ([]tapJSON, error) {
	counts, err := s.opts.Store.Clicks(b.ID)
	if err != nil {
		return nil, err
	}
	byID := map[string]herald.TapCount{}
	for _, c := range counts {
		byID[c.ButtonID] = c
	}
	out := []tapJSON{}
	for _, btn := range b.Content.ButtonsAndLinks() {
		if btn.Kind == herald.URLButton {
			c := byID[btn.ID]
			out = append(out, tapJSON{ButtonID: btn.ID, Label: btn.Label, Taps: c.Taps, Unique: c.Unique})
		}
	}
	return out, nil
}
