package flows

import (
	"errors"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// sendTest delivers the real message to the admin's own test recipients
// and says, channel by channel, what happened: sent (to which account),
// no test recipient yet, or why the platform refused it.
func (t *turn) sendTest() error {
	if t.e.cfg.Tests == nil {
		return t.fail(t.T("test.not_configured"))
	}
	d := &t.sess.Draft
	var lines []string
	missing, tried := false, false
	for _, p := range d.Audience.Channels {
		to, ok := t.testRecipientOn(&d.Audience, p)
		if !ok {
			lines = append(lines, t.T("test.line_none", "Channel", PlatformName(p)))
			missing = true
			continue
		}
		name := t.e.accountLabel(to.AccountOf())
		tried = true
		err := t.e.cfg.Tests.SendTest(t.ctx, d, to)
		if err != nil {
			t.e.cfg.Logger.Warn("flows: test send failed", "platform", string(p), "error", err)
		}
		lines = append(lines, name+": "+t.testOutcome(to, err))
	}
	if !tried {
		return t.fail(t.T("test.no_recipients"))
	}
	text := t.T("test.title") + "\n" + strings.Join(lines, "\n")
	if missing {
		text += "\n" + t.T("test.add_hint")
	}
	t.say(text)
	return t.ask()
}

// testRecipientOn picks the admin's test recipient on platform p: the one
// following an account the audience goes to, else any on p (a test from
// the account they follow beats no test); the test goes out through that
// recipient's account, the bot or channel they follow.
func (t *turn) testRecipientOn(a *herald.Audience, p herald.Platform) (herald.SubscriberKey, bool) {
	var found []herald.SubscriberKey
	for _, k := range t.admin.TestRecipients {
		if k.Platform == p {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		return herald.SubscriberKey{}, false
	}
	if i := slices.IndexFunc(found, func(k herald.SubscriberKey) bool { return a.TakesAccount(k.AccountOf()) }); i >= 0 {
		return found[i], true
	}
	return found[0], true
}

// testOutcome says in words what became of one test send.
func (t *turn) testOutcome(to herald.SubscriberKey, err error) string {
	switch {
	case err == nil:
		return t.T("test.sent_to", "ID", to.ID)
	case errors.Is(err, herald.ErrOutsideWindow):
		return t.T("test.outside_window")
	case errors.Is(err, herald.ErrNotFound):
		return t.T("test.unknown_recipient", "ID", to.ID)
	case errors.Is(err, herald.ErrRecipientGone):
		return t.T("test.blocked", "ID", to.ID)
	}
	// The platform's own words: the sender's error, without the
	// dispatcher's "test send to …" prefix.
	reason := err.Error()
	if inner := errors.Unwrap(err); inner != nil {
		reason = inner.Error()
	}
	if len(reason) > 200 {
		reason = reason[:200] + "…"
	}
	return t.T("test.refused", "Reason", reason)
}
