package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// AdminAccounts is one admin who may use only some accounts: a team that
// runs one brand sees and targets that brand's accounts only.
type AdminAccounts struct {
	// Admin is "telegram:<user ID>", "slack:<user ID>" (U…) or
	// "console:admin" (the -demo console).
	Admin string `yaml:"admin"`
	// Accounts are "platform:name" ("line:shop"; "line:main", or just
	// "line", for the platform's top-level account).
	Accounts []string `yaml:"accounts"`
}

// restrictableFrontends are the frontends an admin_accounts entry may name: the
// console's admin ("console:admin") only talks to -demo, where trying a
// restricted admin is the point.
var restrictableFrontends = map[string]bool{"telegram": true, "slack": true, "console": true}

// parseAccount reads an account as admin_accounts writes it, against the
// configured accounts.
func (c *Config) parseAccount(s string) (herald.Account, bool) {
	acc, err := herald.ParseAccount(s)
	if err != nil {
		return herald.Account{}, false
	}
	for _, a := range flowAccounts(c) {
		if a.Platform == acc.Platform && (a.Account == acc || a.Name == acc.Name) {
			return a.Account, true
		}
	}
	return herald.Account{}, false
}

func (c *Config) validateAdminAccounts(add addFunc) {
	seen := map[string]bool{}
	for i, r := range c.AdminAccounts {
		key := fmt.Sprintf("admin_accounts[%d]", i)
		frontend, user, _ := strings.Cut(r.Admin, ":")
		switch {
		case !restrictableFrontends[frontend] || strings.TrimSpace(user) == "":
			add(key+".admin", `%q is not an admin — write "telegram:<user ID>" (e.g. "telegram:4242"), "slack:<user ID>" (e.g. "slack:U0123ABCD") or "console:admin" (the -demo console)`, r.Admin)
		case seen[r.Admin]:
			add(key+".admin", "%q is listed twice — put all of their accounts in one entry", r.Admin)
		}
		seen[r.Admin] = true
		if len(r.Accounts) == 0 {
			add(key+".accounts", `must list at least one account, e.g. ["line:shop"] — or remove the entry to let %s use every account`, r.Admin)
		}
		for _, s := range r.Accounts {
			if _, ok := c.parseAccount(s); !ok {
				add(key+".accounts", "%q is not a configured account — use one of %s", s, strings.Join(c.usableAccountNames(), ", "))
			}
		}
	}
}

// usableAccountNames lists the configured accounts as admin_accounts
// names them ("line:main", "line:shop"), each once, leaving out names that
// are themselves wrong (check-config says so on their own lines).
func (c *Config) usableAccountNames() []string {
	var names []string
	for _, a := range flowAccounts(c) {
		name := string(a.Platform) + ":" + a.Name
		if herald.ValidAccountName(a.Name) && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// describeAdminAccounts prints one check-config row per restricted admin:
// the accounts they may use.
func describeAdminAccounts(row func(cols ...string), c *Config) {
	for _, r := range c.AdminAccounts {
		row(r.Admin, "limited", "may use "+strings.Join(r.Accounts, ", ")+" only (admin_accounts); the other accounts are not offered to them")
	}
}

// adminAccounts maps admin_accounts for flows, by flows.AdminKey.
func adminAccounts(c *Config) map[string][]herald.Account {
	if len(c.AdminAccounts) == 0 {
		return nil
	}
	out := map[string][]herald.Account{}
	for _, r := range c.AdminAccounts {
		for _, s := range r.Accounts {
			if acc, ok := c.parseAccount(s); ok {
				out[r.Admin] = append(out[r.Admin], acc)
			}
		}
	}
	return out
}
