package flows

import (
	"errors"
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// approve is the second admin's yes under the two-person rule.
func (m *manager) approve(args string) error {
	id, ok, err := m.decidable("/approve", args)
	if !ok {
		return err
	}
	b, err := m.svc.Approve(m.t.ctx, id, m.t.who())
	if ok, err := m.refused("approve", id, err); ok || err != nil {
		return err
	}
	m.t.say(m.t.T("done.approve", "ID", b.ID, "Name", b.Name, "When", m.t.describeSchedule(&b.Schedule)), m.actionsFor(&b)...)
	return nil
}

// reject is an approver's no, with an optional reason: the broadcast goes
// back to draft, so its creator can fix it and submit it again without
// entering anything twice.
func (m *manager) reject(args string) error {
	id, ok, err := m.decidable("/reject", args)
	if !ok {
		return err
	}
	_, reason, _ := strings.Cut(strings.TrimSpace(args), " ")
	b, _, err := m.svc.Reject(m.t.ctx, id, reason, m.t.who())
	if ok, err := m.refused("reject", id, err); ok || err != nil {
		return err
	}
	m.t.say(m.t.T("done.reject", "ID", b.ID, "Name", b.Name, "Creator", m.actorName(b.CreatedBy)),
		m.t.choice("/show "+b.ID, m.t.T("btn.show")), m.t.choice("/log "+b.ID, m.t.T("btn.log")))
	return nil
}

// decidable reads the broadcast an approver means to approve or reject
// and checks they may approve at all (the frontend's approvers; audited).
// ok is false when a reply already says why not.
func (m *manager) decidable(cmd, args string) (string, bool, error) {
	b, ok, err := m.t.broadcastArg(cmd, args)
	if !ok {
		return "", false, err
	}
	if !m.access.MayApprove(m.t.in.Frontend, m.t.in.UserID) {
		m.t.audit("access.denied", b.ID, strings.TrimPrefix(cmd, "/"))
		m.t.say(m.t.T("err.may_not_approve"))
		return "", false, nil
	}
	return b.ID, true, nil
}

// refused answers an approval or rejection the service refused: the
// admin's own broadcast (two-person rule), or no longer waiting (decided,
// edited or canceled, maybe a moment ago in another chat). ok is true when
// a reply says so.
func (m *manager) refused(what, id string, err error) (bool, error) {
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, broadcasts.ErrOwnBroadcast):
		if what == "approve" {
			m.t.say(m.t.T("err.approve_own"))
		} else {
			m.t.say(m.t.T("err.reject_own", "ID", id), m.t.choice("/edit "+id, m.t.T("btn.edit")),
				m.t.choice("/cancel "+id, m.t.T("btn.cancel_broadcast")))
		}
		return true, nil
	case errors.Is(err, broadcasts.ErrNotPending):
		b, err := m.reads.Broadcast(id)
		if err != nil {
			return true, fmt.Errorf("flows: load %s: %w", id, err)
		}
		return true, m.alreadyDecided(b)
	}
	return true, fmt.Errorf("flows: %s: %w", what, err)
}

// alreadyDecided tells an approver why b no longer waits for them: who
// approved or rejected it, so a second press of Approve does nothing but
// say so.
func (m *manager) alreadyDecided(b herald.Broadcast) error {
	entries, err := m.reads.AuditLog(b.ID, 20)
	if err != nil {
		return fmt.Errorf("flows: audit log of %s: %w", b.ID, err)
	}
	show := m.t.choice("/show "+b.ID, m.t.T("btn.show"))
	status := StatusName(m.t.loc, b.Status)
	for _, e := range entries { // newest first
		switch e.Action {
		case "broadcast.approve":
			m.t.say(m.t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", m.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.reject":
			m.t.say(m.t.T("approval.already_rejected", "ID", b.ID, "Name", b.Name, "Actor", m.actorName(e.Actor), "Status", status), show)
			return nil
		case "broadcast.submit":
			// Submitted again since any decision, then withdrawn.
			m.t.say(m.t.T("err.not_pending", "ID", b.ID, "Status", status), show)
			return nil
		}
	}
	if b.ApprovedBy != "" { // the approval is older than the entries read
		m.t.say(m.t.T("approval.already_approved", "ID", b.ID, "Name", b.Name, "Actor", m.actorName(b.ApprovedBy), "Status", status), show)
		return nil
	}
	m.t.say(m.t.T("err.not_pending", "ID", b.ID, "Status", status), show)
	return nil
}
