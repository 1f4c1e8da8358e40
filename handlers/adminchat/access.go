package adminchat

import "github.com/heraldbot/herald/flows"

// AccessByFrontend is the flows.Access of a bot with several admin
// frontends: each frontend decides for its own users (Telegram by admin
// group membership, Slack by allow-lists); unknown frontends get no access.
type AccessByFrontend map[string]flows.Access

// IsAdmin asks the user's frontend.
func (m AccessByFrontend) IsAdmin(frontend, userID string) bool {
	a := m[frontend]
	return a != nil && a.IsAdmin(frontend, userID)
}

// MayApprove asks the user's frontend.
func (m AccessByFrontend) MayApprove(frontend, userID string) bool {
	a := m[frontend]
	return a != nil && a.MayApprove(frontend, userID)
}
