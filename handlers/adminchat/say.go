package adminchat

import (
	"context"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/flows"
)

// Say posts reply in the admin chat at origin now, before the answer of
// the command that is still running (an import's progress): flows answers
// only when a command ends. A chat without a surface is skipped; a failed
// post is logged, never fatal to the command.
func (r *Reporter) Say(ctx context.Context, origin herald.Origin, reply flows.Reply) {
	s := r.opts.Surfaces[origin.Frontend]
	if s == nil || origin.ChatID == "" {
		return
	}
	if _, err := s.Post(ctx, origin, reply); err != nil {
		r.opts.Logger.Warn("adminchat: post interim message", "frontend", origin.Frontend, "error", err)
	}
}
