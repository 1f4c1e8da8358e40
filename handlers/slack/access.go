package slack

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/locales"
)

// mayAct reports whether user may use Herald in channel. Where: an
// allowed channel, or a DM. Who: a listed user or a member of a listed
// user group; with neither list, everyone in the allowed channels (the
// channel's membership is the list, so a DM, which has no such list, is
// refused).
func (h *Handler) mayAct(ctx context.Context, channel, user string) bool {
	dm := strings.HasPrefix(channel, "D")
	if len(h.opts.AllowedChannels) > 0 && !dm && !slices.Contains(h.opts.AllowedChannels, channel) {
		return false
	}
	if h.channelsOnly() {
		return !dm
	}
	return h.isAdmin(ctx, user)
}

// channelsOnly reports whether the allowed channels alone say who may act.
func (h *Handler) channelsOnly() bool {
	return len(h.opts.AllowedUsers) == 0 && len(h.opts.AllowedUserGroups) == 0
}

// isAdmin reports whether user is listed or in a listed user group.
func (h *Handler) isAdmin(ctx context.Context, user string) bool {
	if slices.Contains(h.opts.AllowedUsers, user) {
		return true
	}
	for _, g := range h.opts.AllowedUserGroups {
		if h.groupMembers(ctx, g)[user] {
			return true
		}
	}
	return false
}

// groupMembers asks Slack who is in a user group, trusting the answer for
// GroupTTL so that every press does not cost a call (the method allows
// about 20 a minute). A failed call counts as nobody and is not cached:
// the next event asks again.
func (h *Handler) groupMembers(ctx context.Context, group string) map[string]bool {
	members, err := h.groups.Get(group, func() (map[string]bool, error) {
		users, err := h.api.GetUserGroupMembersContext(ctx, group)
		if err != nil {
			return nil, err
		}
		members := make(map[string]bool, len(users))
		for _, u := range users {
			members[u] = true
		}
		return members, nil
	})
	if err != nil {
		h.log.Warn("slack: usergroups.users.list", "usergroup", group, "error", err)
	}
	return members
}

// IsAdmin implements flows.Access for Slack users. When the allowed
// channels alone say who may act, it is true: flows hears only what
// mayAct let through from those channels.
func (h *Handler) IsAdmin(frontend, userID string) bool {
	if frontend != Frontend {
		return false
	}
	if h.channelsOnly() {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.isAdmin(ctx, userID)
}

// MayApprove implements flows.Access: every allowed Slack user may approve
// another's broadcast (flows forbids approving one's own).
func (h *Handler) MayApprove(frontend, userID string) bool { return h.IsAdmin(frontend, userID) }

// refuse tells someone politely, only to them, that they cannot act, and
// records the attempt.
func (h *Handler) refuse(ctx context.Context, channel, thread, user, what string) {
	if err := h.opts.Audit.Audit(herald.AuditEntry{At: h.opts.Now(), Actor: Frontend + ":" + user,
		Action: "access.denied", Target: channel, Detail: what}); err != nil {
		h.log.Error("slack: audit", "error", err)
	}
	text := h.loc(user).T("slack.not_admin", "User", user)
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	if _, err := h.api.PostEphemeralContext(ctx, channel, user, opts...); err != nil {
		h.log.Warn("slack: post refusal", "channel", channel, "error", err)
	}
}

// loc speaks to the Slack user user in the language they chose with /lang,
// else the catalog's default.
func (h *Handler) loc(user string) *locales.Localizer {
	var lang string
	if h.opts.Admins != nil && user != "" {
		if a, err := h.opts.Admins.Admin(Frontend + ":" + user); err == nil {
			lang = a.Locale
		}
	}
	return h.opts.Catalog.Localizer(lang)
}
