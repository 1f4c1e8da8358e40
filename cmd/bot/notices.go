package main

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
	"github.com/heraldbot/herald/handlers/adminchat"
)

// lazyNotices is flows' Notices: the admin chats' reporter, which is built
// after flows (the frontends need the engine).
type lazyNotices struct{ p *parts }

// Notice hands n to the reporter.
func (l lazyNotices) Notice(ctx context.Context, n flows.Notice) {
	if fe := l.p.fe; fe != nil {
		fe.Reporter.Notice(ctx, n)
	}
}

// apiChanges tells the broadcast's admin chat, as flows' Notice does for a
// change made in a chat, when an API client pauses, resumes or cancels it.
type apiChanges struct{ notices flows.Notices }

// BroadcastChanged posts the notice.
func (c apiChanges) BroadcastChanged(ctx context.Context, b herald.Broadcast, action, actor string) {
	c.notices.Notice(ctx, flows.Notice{Action: flows.Action(action), Broadcast: b, Actor: actor, ActorName: actor,
		Where: herald.Origin{Frontend: adminchat.APIFrontend}})
}
