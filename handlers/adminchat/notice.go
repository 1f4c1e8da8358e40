package adminchat

import (
	"context"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/locales"
)

// StatusChanged tells a broadcast's origin chat that someone else paused,
// resumed, canceled or approved it (a change by its creator was already
// answered in the conversation). actor is "frontend:user".
func (r *Reporter) StatusChanged(ctx context.Context, b herald.Broadcast, actor string, to herald.Status) {
	if actor == b.Origin.Frontend+":"+b.Origin.UserID {
		return
	}
	loc := r.opts.Catalog.Localizer(r.lang(b.Origin))
	r.notify(ctx, b.Origin, flows.Reply{Text: loc.T("notice.status_changed", "Name", b.Name, "ID", b.ID,
		"Status", broadcastStatus(loc, to), "Actor", actor)})
}

// Upcoming announces in the origin chat that a scheduled broadcast goes
// out at at, with buttons to look at it or hold it; the scheduler calls it
// a configurable time before.
func (r *Reporter) Upcoming(ctx context.Context, b herald.Broadcast, at time.Time) {
	loc := r.opts.Catalog.Localizer(r.lang(b.Origin))
	r.notify(ctx, b.Origin, flows.Reply{Text: loc.T("notice.upcoming", "Name", b.Name, "ID", b.ID, "When", at.UTC().Format("2006-01-02 15:04 UTC")),
		Choices: []flows.Choice{{ID: "/show " + b.ID, Label: loc.T("btn.show")}, {ID: "/pause " + b.ID, Label: loc.T("btn.pause")}}})
}

func (r *Reporter) notify(ctx context.Context, o herald.Origin, reply flows.Reply) {
	s := r.opts.Surfaces[o.Frontend]
	if s == nil || o.ChatID == "" {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if _, err := s.Post(context.WithoutCancel(ctx), o, reply); err != nil {
			r.opts.Logger.Warn("adminchat: post notice", "frontend", o.Frontend, "error", err)
		}
	}()
}

// lang is the language the origin's admin chose, or "" for the default.
func (r *Reporter) lang(o herald.Origin) string {
	if r.opts.Admins == nil {
		return ""
	}
	a, err := r.opts.Admins.Admin(o.Frontend + ":" + o.UserID)
	if err != nil {
		return ""
	}
	return a.Locale
}

// broadcastStatus names a broadcast status in the admin's language.
func broadcastStatus(loc *locales.Localizer, s herald.Status) string {
	switch s {
	case herald.StatusDraft:
		return loc.T("status.draft")
	case herald.StatusPending:
		return loc.T("status.pending_approval")
	case herald.StatusScheduled:
		return loc.T("status.scheduled")
	case herald.StatusSending:
		return loc.T("status.sending")
	case herald.StatusPaused:
		return loc.T("status.paused")
	case herald.StatusCompleted:
		return loc.T("status.completed")
	case herald.StatusCanceled:
		return loc.T("status.canceled")
	case herald.StatusFailed:
		return loc.T("status.failed")
	}
	return string(s)
}
