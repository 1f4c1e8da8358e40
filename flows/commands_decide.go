package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// approve is the second admin's yes under the two-person rule.
func (t *turn) approve(args string) error {
	id, ok, err := t.decidable("/approve", args)
	if !ok {
		return err
	}
	b, err := t.e.cfg.Broadcasts.Approve(t.ctx, id, t.who())
	if ok, err := t.refused("approve", id, err); ok || err != nil {
		return err
	}
	t.say(t.T("done.approve", "ID", b.ID, "Name", b.Name, "When", t.describeSchedule(&b.Schedule)), t.actionsFor(&b)...)
	return nil
}

// reject is an approver's no, with an optional reason: the broadcast goes
// back to draft, so its creator can fix it and submit it again without
// entering anything twice.
func (t *turn) reject(args string) error {
	id, ok, err := t.decidable("/reject", args)
	if !ok {
		return err
	}
	_, reason, _ := strings.Cut(strings.TrimSpace(args), " ")
	b, _, err := t.e.cfg.Broadcasts.Reject(t.ctx, id, reason, t.who())
	if ok, err := t.refused("reject", id, err); ok || err != nil {
		return err
	}
	t.say(t.T("done.reject", "ID", b.ID, "Name", b.Name, "Creator", t.actorName(b.CreatedBy)),
		t.choice("/show "+b.ID, t.T("btn.show")), t.choice("/log "+b.ID, t.T("btn.log")))
	return nil
}

// decidable reads the broadcast an approver means to approve or reject
// and checks they may approve at all (the frontend's approvers; audited).
// ok is false when a reply already says why not.
func (t *turn) decidable(cmd, args string) (string, bool, error) {
	b, ok, err := t.broadcastArg(cmd, args)
	if !ok {
		return "", false, err
	}
	if !t.e.cfg.Access.MayApprove(t.in.Frontend, t.in.UserID) {
		t.audit("access.denied", b.ID, strings.TrimPrefix(cmd, "/"))
		t.say(t.T("err.may_not_approve"))
		return "", false, nil
	}
	return b.ID, true, nil
}

// refused answers an approval or rejection the service refused: the
// admin's own broadcast (two-person rule), or no longer waiting (decided,
// edited or canceled, maybe a moment ago in another chat). ok is true when
// a reply says so.
func (t *turn) refused(what, id string, err error) (bool, error) {
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, broadcasts.ErrOwnBroadcast):
		if what == "approve" {
			t.say(t.T("err.approve_own"))
		} else {
			t.say(t.T("err.reject_own", "ID", id), t.choice("/edit "+id, t.T("btn.edit")),
				t.choice("/cancel "+id, t.T("btn.cancel_broadcast")))
		}
		return true, nil
	case errors.Is(err, broadcasts.ErrNotPending):
		b, err := t.e.cfg.Store.Broadcast(id)
		if err != nil {
			return true, fmt.Errorf("flows: load %s: %w", id, err)
		}
		return true, t.alreadyDecided(b)
	}
	return true, fmt.Errorf("flows: %s: %w", what, err)
}

// alreadyDecided tells an approver why b no longer waits for them: who
// approved or rejected it, so a second press of Approve does nothing but
// say so.
func (t *turn) alreadyDecided(b herald.Broadcast) error {
	entries, err := t.e.cfg.Store.AuditLog(b.ID, 20)
	if err != nil {
		return fmt.Errorf("flows: audit log of %s: %w", b.ID, err)
	}
	show := t.choice("/show "+b.ID, t.T("btn.show"))
	status := t.T(statusKeys[b.Status])
	for _, e := range entries { // newest first
		switch e.Action {
		case "broadcast.approve":
			t.say(t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.reject":
			t.say(t.T("approval.already_rejected", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.submit":
			// Submitted again since any decision, then withdrawn.
			t.say(t.T("err.not_pending", "ID", b.ID, "Status", status), show)
			return nil
		}
	}
	if b.ApprovedBy != "" { // the approval is older than the entries read
		t.say(t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", t.actorName(b.ApprovedBy), "Status", status), show)
		return nil
	}
	t.say(t.T("err.not_pending", "ID", b.ID, "Status", status), show)
	return nil
}
