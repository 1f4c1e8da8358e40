package flows

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// Engagement reads what people did with a broadcast's buttons
// (*storage.Store): action buttons' taps, tracked links' clicks, and who
// did either by channel.
type Engagement interface {
	Taps(broadcastID string) ([]herald.TapCount, error)
	Clicks(broadcastID string) ([]herald.TapCount, error)
	ButtonReach(broadcastID string) (map[string]map[herald.Account]int, error)
}

// ButtonStats is what a broadcast's buttons did, for /stats and the run's
// report: per button every tap or click and the people behind them, and
// the deliveries their rate is taken over.
type ButtonStats struct {
	Buttons []herald.Button
	// Links are the links in the broadcast's text, counted like URL
	// buttons (herald.Content.TextLinks).
	Links     []herald.Button
	Delivered map[herald.Platform]int // sent, over every run
	// DeliveredBy is Delivered account by account when a run reached a
	// named account (nil otherwise).
	DeliveredBy map[herald.Account]int
	Taps        []herald.TapCount // action buttons
	Clicks      []herald.TapCount // URL buttons, when tracked
	Reach       map[string]map[herald.Account]int
	// Label names an account for the per-account lines (default
	// AccountLabel; the engine's knows the default account's name).
	Label func(herald.Account) string
	// Tracked says link clicks are counted (public_base_url is set).
	Tracked bool
}

// ReadButtonStats gathers a broadcast's ButtonStats from storage.
func ReadButtonStats(e Engagement, b *herald.Broadcast, runs []herald.Run, tracked bool) (ButtonStats, error) {
	s := ButtonStats{Buttons: b.Content.Buttons, Links: b.Content.TextLinks(), Delivered: map[herald.Platform]int{}, Tracked: tracked}
	for _, r := range runs {
		for p, t := range r.Tally {
			s.Delivered[p] += t.Sent
		}
		for acc, t := range r.AccountTallies() {
			if s.DeliveredBy == nil {
				s.DeliveredBy = map[herald.Account]int{}
			}
			s.DeliveredBy[acc] += t.Sent
		}
	}
	var err error
	if s.Taps, err = e.Taps(b.ID); err != nil {
		return s, fmt.Errorf("flows: taps of %s: %w", b.ID, err)
	}
	if s.Clicks, err = e.Clicks(b.ID); err != nil {
		return s, fmt.Errorf("flows: clicks of %s: %w", b.ID, err)
	}
	if s.Reach, err = e.ButtonReach(b.ID); err != nil {
		return s, fmt.Errorf("flows: button reach of %s: %w", b.ID, err)
	}
	return s, nil
}

// Lines renders one line per button and link in the text (unique
// people, the rate over delivered, every tap or click), and with
// byChannel a line under each with the same per channel. A link in the
// text reads "link 1: its words".
func (s *ButtonStats) Lines(loc *locales.Localizer, byChannel bool) []string {
	delivered := 0
	for _, n := range s.Delivered {
		delivered += n
	}
	counts := map[string]herald.TapCount{}
	for _, c := range append(append([]herald.TapCount(nil), s.Taps...), s.Clicks...) {
		counts[c.ButtonID] = c
	}
	var out []string
	for i, btn := range append(slices.Clip(s.Buttons), s.Links...) {
		c := counts[btn.ID]
		label := btn.Label
		if i >= len(s.Buttons) { // its ID is "link" and its number
			label = loc.T("stats.link", "N", strings.TrimPrefix(btn.ID, "link"), "Label", btn.Label)
		}
		key := "stats.tapped"
		if btn.Kind == herald.URLButton {
			if !s.Tracked && c.Taps == 0 {
				out = append(out, loc.T("stats.not_tracked", "Label", label))
				continue
			}
			key = "stats.clicked"
		}
		out = append(out, loc.N(key, c.Taps, "Label", label, "Unique", FormatCount(c.Unique),
			"Rate", Rate(c.Unique, delivered), "Total", FormatCount(c.Taps)))
		if !byChannel {
			continue
		}
		var parts []string
		for _, w := range s.where() {
			parts = append(parts, loc.T("stats.channel", "Channel", w.label, "Count", FormatCount(w.reach(s.Reach[btn.ID])),
				"Rate", Rate(w.reach(s.Reach[btn.ID]), w.delivered)))
		}
		if len(parts) > 0 {
			out = append(out, "  "+strings.Join(parts, " · "))
		}
	}
	return out
}

// statsPlace is one channel, or one account of a channel, a broadcast
// was delivered on: what /stats breaks a button's reach down by.
type statsPlace struct {
	label     string
	delivered int
	reach     func(map[herald.Account]int) int
}

// where lists the places s breaks down by: account by account when the
// broadcast reached more than one account of a platform, else channel by
// channel, in the platforms' order.
func (s *ButtonStats) where() []statsPlace {
	var out []statsPlace
	for _, p := range herald.Platforms {
		n, ok := s.Delivered[p]
		if !ok {
			continue
		}
		var accs []herald.Account
		for acc := range s.DeliveredBy {
			if acc.Platform == p {
				accs = append(accs, acc)
			}
		}
		if len(accs) < 2 {
			out = append(out, statsPlace{label: PlatformName(p), delivered: n, reach: func(r map[herald.Account]int) int {
				total := 0
				for acc, c := range r {
					if acc.Platform == p {
						total += c
					}
				}
				return total
			}})
			continue
		}
		slices.SortFunc(accs, func(a, b herald.Account) int { return strings.Compare(a.Name, b.Name) })
		label := s.Label
		if label == nil {
			label = AccountLabel
		}
		for _, acc := range accs {
			out = append(out, statsPlace{label: label(acc), delivered: s.DeliveredBy[acc], reach: func(r map[herald.Account]int) int { return r[acc] }})
		}
	}
	return out
}

// Rate is n over of as a percentage with one decimal ("9.7%"); "–" when
// nothing was delivered. The stats, the report and its chart all say a
// button's reach this way.
func Rate(n, of int) string {
	if of <= 0 {
		return "–"
	}
	return strconv.FormatFloat(math.Round(float64(n)*1000/float64(of))/10, 'f', -1, 64) + "%"
}

// stats answers /stats ID: what the broadcast's buttons did, per channel.
func (t *turn) stats(args string) error {
	b, ok, err := t.broadcastArg("/stats", args)
	if !ok {
		return err
	}
	runs, err := t.e.cfg.Store.RunsOf(b.ID)
	if err != nil {
		return fmt.Errorf("flows: runs of %s: %w", b.ID, err)
	}
	s, err := ReadButtonStats(t.e.cfg.Store, &b, runs, t.e.cfg.TrackClicks)
	if err != nil {
		return err
	}
	s.Label = t.e.accountLabel
	delivered := 0
	for _, n := range s.Delivered {
		delivered += n
	}
	var parts []string
	for _, w := range s.where() {
		parts = append(parts, w.label+" "+FormatCount(w.delivered))
	}
	lines := []string{t.T("stats.title", "Name", b.Name, "ID", b.ID, "Delivered", FormatCount(delivered))}
	if len(parts) > 1 {
		lines = append(lines, strings.Join(parts, " · "))
	}
	if len(s.Buttons)+len(s.Links) == 0 {
		lines = append(lines, t.T("stats.no_buttons"))
	}
	lines = append(lines, s.Lines(t.loc, true)...)
	if line, err := t.holdoutLine(&b, runs); err != nil {
		return err
	} else if line != "" {
		lines = append(lines, line)
	}
	t.say(strings.Join(lines, "\n"), t.choice("/show "+b.ID, t.T("btn.show")))
	return nil
}

// holdoutLine compares a holdout's two groups since the broadcast first
// went out: of those sent it and of its control group, how many wrote to
// the bot or tapped a button since (their last interaction is later). Both
// groups are recounted now from the draw, over the audience's criteria
// but its own activity filter (relative to now, it would shift); "" for a
// broadcast without a holdout or not sent yet.
func (t *turn) holdoutLine(b *herald.Broadcast, runs []herald.Run) (string, error) {
	control := b.Audience.Sample.Control()
	var since time.Time
	for _, r := range runs {
		if !r.StartedAt.IsZero() && (since.IsZero() || r.StartedAt.Before(since)) {
			since = r.StartedAt
		}
	}
	if control == nil || since.IsZero() {
		return "", nil
	}
	cat := b.Category
	if cat == "" {
		cat = herald.Marketing
	}
	count := func(s *herald.Sample, active bool) (int, error) {
		a := b.Audience
		a.Sample, a.Activity = s, nil
		if active {
			a.Activity = &herald.Activity{Op: herald.ActiveWithin, Period: max(t.now.Sub(since), time.Nanosecond)}
		}
		c, err := t.e.cfg.Store.Count(&a, cat, t.now)
		if err != nil {
			return 0, fmt.Errorf("flows: holdout of %s: %w", b.ID, err)
		}
		return c.Total, nil
	}
	var n [4]int // sent, sent and back, control, control and back
	for i, q := range []struct {
		s      *herald.Sample
		active bool
	}{{b.Audience.Sample, false}, {b.Audience.Sample, true}, {control, false}, {control, true}} {
		var err error
		if n[i], err = count(q.s, q.active); err != nil {
			return "", err
		}
	}
	return t.T("stats.holdout", "Percent", FormatPercent(b.Audience.Sample.HoldoutPercent),
		"SentBack", FormatCount(n[1]), "Sent", FormatCount(n[0]), "SentRate", Rate(n[1], n[0]),
		"ControlBack", FormatCount(n[3]), "Control", FormatCount(n[2]), "ControlRate", Rate(n[3], n[2])), nil
}
