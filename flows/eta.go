package flows

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
)

// Estimator says how long sending a broadcast to users and groups of one
// account takes at its configured limits (*dispatch.Engine): the summary's
// preflight shows it per channel, or per account on a platform with
// several, before anything is sent.
type Estimator interface {
	Estimate(b *herald.Broadcast, acc herald.Account, users, groups int) time.Duration
}

// withETA is the summary's count line followed by the ETA line, if any.
func (t *turn) withETA(d *herald.Broadcast, countLine string) (string, error) {
	eta, err := t.etaLine(d)
	if err != nil || eta == "" {
		return countLine, err
	}
	return countLine + "\n" + eta, nil
}

// etaLine is the preflight's time to send, per channel: "Telegram 12,400
// people · about 7 min; LINE 3,000 people · under a minute". It counts
// those the message reaches (Messenger users outside the window of a
// marketing message are skipped); "" without an Estimator or channels.
// For an A/B test it is the variants' send, all of them, which goes now.
func (t *turn) etaLine(d *herald.Broadcast) (string, error) {
	if d.Test != nil {
		c := *d
		c.Audience.Sample = variantsSample(d.Test)
		d = &c
	}
	est := t.e.cfg.Estimates
	if est == nil || len(d.Audience.Channels) == 0 {
		return "", nil
	}
	cat := d.Category
	if cat == "" {
		cat = herald.Marketing
	}
	var whole herald.Count
	if d.Audience.Sample.Capped() {
		var err error
		if whole, err = t.e.cfg.Store.Count(&d.Audience, cat, t.now); err != nil {
			return "", fmt.Errorf("flows: count for the ETA: %w", err)
		}
	}
	parts := make([]string, 0, len(d.Audience.Channels))
	for _, acc := range t.e.chosenAccounts(&d.Audience) {
		p := acc.Platform
		a := d.Audience
		a.Channels = []herald.Platform{p}
		a.Accounts = []herald.Account{acc}
		if a.Sample.Capped() {
			// The cap's lowest ranks on the account are the lowest ranks
			// of its audience, as many as the whole cap took there.
			s := *a.Sample
			s.Max = whole.OfAccount(acc)
			if !t.e.multiAccount(p) {
				s.Max = whole.ByPlatform[p]
			}
			a.Sample = &s
		}
		c, err := t.e.cfg.Store.Count(&a, cat, t.now)
		if err != nil {
			return "", fmt.Errorf("flows: count %s for the ETA: %w", acc, err)
		}
		users := c.Users
		if cat != herald.NonMarketing {
			users = max(0, users-c.OutsideWindow)
		}
		n := users + c.Groups
		name := PlatformName(p)
		if t.e.multiAccount(p) {
			name = t.e.accountLabel(acc)
		}
		parts = append(parts, t.N("eta.channel", n, "Channel", name, "Count", FormatCount(n),
			"Time", t.etaWords(est.Estimate(d, acc, users, c.Groups))))
	}
	return t.T("summary.eta", "Channels", t.joinClauses("text.semicolon", parts...)), nil
}

// etaWords says a send's duration as the progress message says time
// left: "under a minute", else "about 7 min".
func (t *turn) etaWords(d time.Duration) string {
	if d < time.Minute {
		return t.T("eta.under_minute")
	}
	return t.T("eta.about", "Time", RoughDuration(t.loc, d))
}
