package flows

import (
	"errors"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// Account is one platform account the bot delivers through, with the name
// admins call it by ("shop"; the default account's is config's, "main"
// unless set). A platform with more than one account is offered account by
// account ("LINE · Shop", "LINE · Support").
type Account struct {
	herald.Account
	Name string
}

// accountWord is an account typed in a one-liner's "on" clause
// ("line:shop"), resolved against the configured accounts later.
type accountWord struct {
	Platform herald.Platform
	Name     string
	Pos      int
}

// accountsOn lists the configured accounts of platform p (just its
// default account when Config.Accounts says nothing of p).
func (e *Engine) accountsOn(p herald.Platform) []Account {
	var out []Account
	for _, a := range e.cfg.Accounts {
		if a.Platform == p {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = append(out, Account{Account: herald.Account{Platform: p}, Name: ""})
	}
	return out
}

// multiAccount reports whether admins choose among p's accounts.
func (e *Engine) multiAccount(p herald.Platform) bool { return len(e.accountsOn(p)) > 1 }

// accountLabel names acc for admins: "LINE · Shop" on a platform with
// several accounts, "LINE" on one with a single account.
func (e *Engine) accountLabel(acc herald.Account) string {
	if !e.multiAccount(acc.Platform) {
		return AccountLabel(acc) // "LINE"; a named account no longer configured keeps its name
	}
	name := acc.Name
	for _, a := range e.accountsOn(acc.Platform) {
		if a.Account == acc {
			name = a.Name
		}
	}
	return PlatformName(acc.Platform) + " · " + titleWord(name)
}

// titleWord capitalises a name's first letter ("shop" → "Shop").
func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// resolveAccount finds the configured account of p named name as admins
// type it (case-insensitive; the default account by its name).
func (e *Engine) resolveAccount(p herald.Platform, name string) (herald.Account, bool) {
	for _, a := range e.accountsOn(p) {
		if strings.EqualFold(a.Name, strings.TrimSpace(name)) {
			return a.Account, true
		}
	}
	return herald.Account{}, false
}

// accountNames lists p's accounts as admins type them ("line:main,
// line:shop"), for an error that says what would work.
func (e *Engine) accountNames(p herald.Platform) []string {
	var out []string
	for _, a := range e.accountsOn(p) {
		out = append(out, string(p)+":"+a.Name)
	}
	return out
}

// audienceChannels names where an audience goes, account by account on a
// platform with several ("LINE · Shop", "Telegram"): its listed accounts,
// or all of the platform's when none is listed.
func (e *Engine) audienceChannels(a *herald.Audience) []string {
	var out []string
	for _, p := range a.Channels {
		if !e.multiAccount(p) {
			out = append(out, PlatformName(p))
			continue
		}
		for _, acc := range e.accountsOn(p) {
			if a.TakesAccount(acc.Account) {
				out = append(out, e.accountLabel(acc.Account))
			}
		}
	}
	return out
}

// setAccounts makes the audience go to exactly the given accounts (with
// the platforms they are on as its channels), listing accounts only on
// platforms that have several.
func (e *Engine) setAccounts(a *herald.Audience, accs []herald.Account) {
	a.Channels, a.Accounts = nil, nil
	for _, acc := range accs {
		if !slices.Contains(a.Channels, acc.Platform) {
			a.Channels = append(a.Channels, acc.Platform)
		}
		if e.multiAccount(acc.Platform) && !slices.Contains(a.Accounts, acc) {
			a.Accounts = append(a.Accounts, acc)
		}
	}
	a.Channels = sortedPlatforms(a.Channels)
	e.sortAccounts(a.Accounts)
}

// everyoneOn is a without its narrowing (tags, activity, attributes,
// taps, a list, a sample): everyone where it goes, on the same channels
// and accounts (LINE · Shop stays LINE · Shop, not all of LINE) and to
// the same kind of recipients.
func everyoneOn(a *herald.Audience) herald.Audience {
	return herald.Audience{Channels: slices.Clone(a.Channels), Accounts: slices.Clone(a.Accounts), Recipients: a.Recipients, TagMatch: herald.AnyTag}
}

// sortAccounts puts accounts in config order.
func (e *Engine) sortAccounts(accs []herald.Account) {
	order := func(acc herald.Account) int {
		return slices.IndexFunc(e.cfg.Accounts, func(a Account) bool { return a.Account == acc })
	}
	slices.SortFunc(accs, func(x, y herald.Account) int { return order(x) - order(y) })
}

// chosenAccounts lists the accounts an audience goes to, as setAccounts
// takes them.
func (e *Engine) chosenAccounts(a *herald.Audience) []herald.Account {
	var out []herald.Account
	for _, p := range a.Channels {
		for _, acc := range e.accountsOn(p) {
			if a.TakesAccount(acc.Account) {
				out = append(out, acc.Account)
			}
		}
	}
	return out
}

// typedAccounts reads the channel step's typed answer when it names an
// account ("line:shop, telegram"): every word a channel or an account.
// ok is false otherwise (the step's other readings apply: "everyone on
// line:shop" is typedTargets'); accs is nil when an account is refused
// (the bot does not have it), err the turn's answer saying so.
func (t *turn) typedAccounts() (accs []herald.Account, ok bool, err error) {
	words := strings.FieldsFunc(t.text(), func(r rune) bool { return r == ',' || r == ' ' })
	if !slices.ContainsFunc(words, func(w string) bool { return strings.ContainsAny(w, ":/@") }) {
		return nil, false, nil
	}
	for _, w := range words {
		if acc, perr := herald.ParseAccount(w); perr != nil || !slices.Contains(t.e.cfg.Channels, acc.Platform) {
			return nil, false, nil
		}
	}
	for _, w := range words {
		acc, _ := herald.ParseAccount(w)
		if !strings.ContainsAny(w, ":/@") {
			for _, a := range t.e.accountsOn(acc.Platform) {
				accs = append(accs, a.Account) // a platform alone: all its accounts
			}
			continue
		}
		_, name, _ := strings.Cut(strings.NewReplacer("/", ":", "@", ":").Replace(w), ":")
		found, known := t.e.resolveAccount(acc.Platform, name)
		if !known {
			return nil, true, t.fail(t.T("err.account_unknown", "Name", w, "Options", t.joinList(t.e.accountNames(acc.Platform))))
		}
		accs = append(accs, found)
	}
	return accs, true, nil
}

// AccountLabel names acc without the bot's config: "LINE" for a default
// account, "LINE · Shop" for a named one. Engine.AccountLabel knows the
// default account's name too.
func AccountLabel(acc herald.Account) string {
	if acc.Name == "" {
		return PlatformName(acc.Platform)
	}
	return PlatformName(acc.Platform) + " · " + titleWord(acc.Name)
}

// AccountLabel names acc as the wizard offers it (accountLabel), for the
// admin chats' reports.
func (e *Engine) AccountLabel(acc herald.Account) string { return e.accountLabel(acc) }

// resolveOnAccounts narrows a to the accounts a one-liner's "on" clause
// named ("on line:shop, telegram"), its channels already set from the
// same clause; a platform named alone keeps all its accounts. A name the
// bot does not have is a parse error pointing at it.
func (e *Engine) resolveOnAccounts(a *herald.Audience, words []accountWord) *parseError {
	if len(words) == 0 {
		return nil
	}
	var accs []herald.Account
	for _, p := range a.Channels {
		if !slices.ContainsFunc(words, func(w accountWord) bool { return w.Platform == p }) {
			for _, acc := range e.accountsOn(p) {
				accs = append(accs, acc.Account)
			}
		}
	}
	for _, w := range words {
		acc, ok := e.resolveAccount(w.Platform, w.Name)
		if !ok {
			return &parseError{Pos: w.Pos, Key: "err.syntax.account",
				Args: []any{"Word", string(w.Platform) + ":" + w.Name, "Options", strings.Join(e.accountNames(w.Platform), ", ")}}
		}
		accs = append(accs, acc)
	}
	e.setAccounts(a, accs)
	return nil
}

// findSelected reads the subscriber an uploaded list names: k itself
// when it names its account, else the first of the audience's accounts
// on k's platform that has k's ID.
func (t *turn) findSelected(a *herald.Audience, k herald.SubscriberKey) (herald.Subscriber, error) {
	if k.Account != "" {
		return t.e.cfg.Store.Subscriber(k)
	}
	var sub herald.Subscriber
	err := herald.ErrNotFound
	for _, acc := range t.e.chosenAccounts(a) {
		if acc.Platform != k.Platform {
			continue
		}
		k.Account = acc.Name
		if sub, err = t.e.cfg.Store.Subscriber(k); !errors.Is(err, herald.ErrNotFound) {
			return sub, err
		}
	}
	return sub, err
}
