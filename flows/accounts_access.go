package flows

import (
	"slices"

	"github.com/heraldbot/herald"
)

// AdminKey names an admin in Config.AdminAccounts: "frontend:user", e.g.
// "telegram:4242" or "slack:U0123", as herald.Admin.Key does.
func AdminKey(frontend, userID string) string { return frontend + ":" + userID }

// restricted reports whether this turn's admin may use only some accounts
// (Config.AdminAccounts lists them).
func (t *turn) restricted() bool {
	_, ok := t.e.cfg.AdminAccounts[AdminKey(t.in.Frontend, t.in.UserID)]
	return ok
}

// mayUse reports whether this turn's admin may send from acc.
func (t *turn) mayUse(acc herald.Account) bool {
	accs, ok := t.e.cfg.AdminAccounts[AdminKey(t.in.Frontend, t.in.UserID)]
	return !ok || slices.Contains(accs, acc)
}

// offered lists the accounts of p this turn's admin may use.
func (t *turn) offered(p herald.Platform) []Account {
	return slices.DeleteFunc(t.e.accountsOn(p), func(a Account) bool { return !t.mayUse(a.Account) })
}

// channels are the configured channels on which this turn's admin may
// use at least one account.
func (t *turn) channels() []herald.Platform {
	return slices.DeleteFunc(slices.Clone(t.e.cfg.Channels), func(p herald.Platform) bool { return len(t.offered(p)) == 0 })
}

// everywhere makes a the audience of every account the admin may use
// (what /new and /audience mean without "on").
func (t *turn) everywhere(a *herald.Audience) {
	a.Channels, a.Accounts = t.channels(), nil
	if !t.restricted() {
		return
	}
	var accs []herald.Account
	for _, p := range a.Channels {
		for _, acc := range t.offered(p) {
			accs = append(accs, acc.Account)
		}
	}
	t.e.setAccounts(a, accs)
}

// deniedAccount is the first account a goes to that this turn's admin may
// not use, if any.
func (t *turn) deniedAccount(a *herald.Audience) (herald.Account, bool) {
	if !t.restricted() {
		return herald.Account{}, false
	}
	for _, acc := range t.e.chosenAccounts(a) {
		if !t.mayUse(acc) {
			return acc, true
		}
	}
	return herald.Account{}, false
}

// denied is the sentence that tells a restricted admin they may not send
// from acc, and which accounts they may.
func (t *turn) denied(acc herald.Account) string {
	return t.T("err.account_denied", "Account", t.e.accountLabel(acc), "Options", t.yourAccounts())
}

// yourAccounts lists the accounts this turn's admin may use ("LINE ·
// Shop, Telegram"), "—" when none.
func (t *turn) yourAccounts() string {
	var names []string
	for _, p := range t.e.cfg.Channels {
		for _, a := range t.offered(p) {
			names = append(names, t.e.accountLabel(a.Account))
		}
	}
	return t.orDash(t.joinList(names))
}

// yourAccountsLine tells a restricted admin which accounts they may use
// (/whoami, /help); "" for everyone else.
func (t *turn) yourAccountsLine() string {
	if !t.restricted() {
		return ""
	}
	return t.T("whoami.accounts", "Options", t.yourAccounts())
}

// withinOffered narrows a restricted admin's audience, its channels typed
// without accounts ("on line"), to the accounts they may use there; a
// channel where they may use none stays, for channelsChosen to refuse.
func (t *turn) withinOffered(a *herald.Audience) {
	if !t.restricted() {
		return
	}
	var accs []herald.Account
	for _, p := range a.Channels {
		offered := t.offered(p)
		if len(offered) == 0 {
			accs = append(accs, herald.Account{Platform: p})
		}
		for _, acc := range offered {
			accs = append(accs, acc.Account)
		}
	}
	t.e.setAccounts(a, accs)
}

// help answers /help: what Herald does, the accounts to name in /new
// on a platform with several, and a restricted admin's accounts.
func (t *turn) help() {
	text := t.T("help.text", "Example", t.exampleWhen())
	if accs := t.channelWords(false); len(accs) > 0 {
		text += "\n" + t.T("help.accounts", "Accounts", t.joinList(accs))
	}
	text += "\n\n" + t.T("help.formatting")
	if line := t.yourAccountsLine(); line != "" {
		text += "\n\n" + line
	}
	t.say(text, t.choice("/new", t.T("btn.new")), t.choice("/list", t.T("btn.list")))
}

// channelWords names the channels this turn's admin may use as /new,
// /audience and the channel step take them: each account of a platform
// with several ("line:shop"), and, with others, the platforms with one
// by name ("Telegram").
func (t *turn) channelWords(others bool) []string {
	var names []string
	for _, p := range t.channels() {
		if t.e.multiAccount(p) {
			for _, a := range t.offered(p) {
				names = append(names, string(p)+":"+a.Name)
			}
		} else if others {
			names = append(names, PlatformName(p))
		}
	}
	return names
}
