package flows

import (
	"strings"

	"github.com/heraldbot/herald/locales"
)

// commandNames are the commands a typo is matched against.
var commandNames = []string{"/new", "/cancel", "/list", "/show", "/pause", "/resume", "/approve", "/reject", "/edit", "/clone",
	"/delete", "/undo", "/stats", "/errors", "/retry", "/pick", "/log", "/sequences", "/sequence", "/find", "/audience",
	"/lang", "/tz", "/testme", "/whoami", "/chatid", "/import", "/export", "/sync", "/help"}

// unknownCommand answers a command Herald does not have, offering the one
// it is a typo of (/sequense → /sequence), with what was typed after it.
func (t *turn) unknownCommand(name, args string) {
	text, cs := t.T("err.unknown_command", "Command", name), []Choice{t.choice("/help", t.T("btn.help"))}
	if near := locales.Nearest(name, commandNames); near != "" {
		cmd := strings.TrimSpace(near + " " + args)
		text += "\n" + t.T("settings.did_you_mean", "Value", cmd)
		cs = append([]Choice{t.choice(cmd, t.T("btn.use", "Value", cmd))}, cs...)
	}
	t.say(text, cs...)
}
