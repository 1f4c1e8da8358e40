package main

import (
	"fmt"
	"strings"

	"github.com/heraldbot/herald"
)

// AdminAccounts is one admin who may use only some accounts: a team that
// runs one brand sees and targets that brand's accounts only.
type AdminAccounts struct {
	// Admin is "telegram:<user ID>" or "slack:<user ID>" (U…).
	Admin string `yaml:"admin"`
	// Accounts are "platform:name" ("line:shop"; "line:main", or just
	// "line", for the platform's top-level account).
	Accounts []string `yaml:"accounts"`
}

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
		case (frontend != "telegram" && frontend != "slack") || strings.TrimSpace(user) == "":
			add(key+".admin", `%q is not an admin — write "telegram:<user ID>" (e.g. "telegram:4242") or "slack:<user ID>" (e.g. "slack:U0123ABCD")`, r.Admin)
		case seen[r.Admin]:
			add(key+".admin", "%q is listed twice — put all of their accounts in one entry", r.Admin)
		}
		seen[r.Admin] = true
		if len(r.Accounts) == 0 {
			add(key+".accounts", `must list at least one account, e.g. ["line:shop"] — or remove the entry to let %s use every account`, r.Admin)
		}
		for _, s := range r.Accounts {
			if _, ok := c.parseAccount(s); !ok {
				var names []string
				for _, a := range flowAccounts(c) {
					names = append(names, string(a.Platform)+":"+a.Name)
				}
				add(key+".accounts", "%q is not a configured account — use one of %s", s, strings.Join(names, ", "))
			}
		}
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
