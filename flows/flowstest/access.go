// Package flowstest holds what tests of the conversation need and the bot
// does not: an Access from fixed lists, so a test names its admins and
// approvers without an admin frontend. It imports nothing of flows, so
// flows' own tests can use it too.
package flowstest

import "slices"

// Allowlist is a flows.Access from lists of admin keys ("console:alice",
// "telegram:42"); approvers must also be admins.
type Allowlist struct {
	Admins    []string
	Approvers []string
}

// IsAdmin reports whether frontend:user is listed as an admin.
func (l Allowlist) IsAdmin(frontend, userID string) bool {
	return slices.Contains(l.Admins, frontend+":"+userID)
}

// MayApprove reports whether frontend:user is an admin listed as approver.
func (l Allowlist) MayApprove(frontend, userID string) bool {
	return l.IsAdmin(frontend, userID) && slices.Contains(l.Approvers, frontend+":"+userID)
}
