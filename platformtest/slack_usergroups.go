package platformtest

import "slices"

// SlackUserGroup is a user group (a "subteam", @handle) for
// usergroups.users.list.
type SlackUserGroup struct {
	ID       string // S…
	Handle   string
	Users    []string
	Disabled bool
}

// AddUserGroup registers a user group, replacing one with the same ID (to
// change its members mid-test).
func (s *Slack) AddUserGroup(g SlackUserGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := g
	cp.Users = slices.Clone(g.Users)
	s.usergroups[g.ID] = &cp
}

// FreePlan makes the workspace one without user groups (a free plan):
// usergroups.* methods answer plan_upgrade_required.
func (s *Slack) FreePlan(free bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.freePlan = free
}

// usergroupsUsersList answers {"ok":true,"users":["U…",…]}. A disabled
// group counts only with include_disabled=true; otherwise, like an unknown
// ID, it is no_such_subteam.
func (s *Slack) usergroupsUsersList(c slackCall) (any, string) {
	id := c.p.get("usergroup")
	if id == "" {
		return nil, "invalid_arguments"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.freePlan {
		return nil, "plan_upgrade_required"
	}
	g := s.usergroups[id]
	if g == nil || (g.Disabled && c.p.get("include_disabled") != "true") {
		return nil, "no_such_subteam"
	}
	users := slices.Clone(g.Users)
	if users == nil {
		users = []string{}
	}
	return slackResult{"users": users}, ""
}
