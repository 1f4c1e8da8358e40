package flows

import (
	"fmt"
	"strings"
)

// edit takes a draft or not-yet-started broadcast back into the summary.
// It becomes a draft while edited so the scheduler leaves it alone.
func (t *turn) edit(args string) error {
	b, ok, err := t.broadcastArg("/edit", args)
	if !ok {
		return err
	}
	ch, err := t.e.cfg.Broadcasts.Edit(t.ctx, b.ID, t.who())
	if isInvalid(err) {
		t.say(t.T("err.cannot_edit", "ID", b.ID, "Status", StatusName(t.loc, b.Status)), t.choice("/clone "+b.ID, t.T("btn.clone")))
		return nil
	}
	if err != nil {
		return fmt.Errorf("flows: edit %s: %w", args, err)
	}
	b = ch.Broadcast
	if ch.Changed() {
		t.say(t.T("edit.unscheduled", "ID", b.ID))
	}
	t.sess = &session{Draft: b, EditID: b.ID, EditStatus: ch.From}
	// "/edit ID timing" (a missed run's Reschedule) opens one field, as
	// its button at the summary would; Back leads to the summary.
	_, field, _ := strings.Cut(strings.TrimSpace(args), " ")
	if step, ok := editStep("ed:"+strings.ToLower(strings.TrimSpace(field)), &b.Content); ok {
		t.sess.Step, t.sess.FromSummary = stepSummary, true
		return t.goTo(step)
	}
	return t.toSummary()
}

// clone copies any broadcast into a new draft and opens it.
func (t *turn) clone(args string) error {
	b, ok, err := t.broadcastArg("/clone", args)
	if !ok {
		return err
	}
	who := t.who()
	c, err := t.e.cfg.Broadcasts.Clone(t.ctx, b.ID, t.cloneName, who.Where, who)
	if err != nil {
		return fmt.Errorf("flows: clone %s: %w", b.ID, err)
	}
	t.say(t.T("clone.done", "ID", c.ID, "From", b.ID))
	t.sess = &session{Draft: c, EditID: c.ID}
	return t.toSummary()
}

// cloneName names a copy of the broadcast named base: "Sale (copy)", then
// "Sale (copy 2)" and on while a name is taken.
func (t *turn) cloneName(base string, n int) string {
	if n == 1 {
		return t.T("clone.name", "Name", base)
	}
	return t.T("clone.name_n", "Name", base, "N", n)
}
