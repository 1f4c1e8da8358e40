package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// countAudience sizes an audience the way the admin wizard shows it.
func (s *Server) countAudience(w http.ResponseWriter, r *http.Request, _ string) {
	var req struct {
		Audience audienceJSON `json:"audience"`
		Category string       `json:"category"`
	}
	if !decode(w, r, &req) {
		return
	}
	a, err := s.audience(req.Audience)
	if err == nil {
		err = a.Validate()
	}
	cat := herald.Category(req.Category)
	if err == nil && cat != "" && cat != herald.Marketing && cat != herald.NonMarketing {
		err = &herald.ValidationError{Field: "category", Code: herald.CodeInvalid}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if cat == "" {
		cat = herald.Marketing
	}
	c, err := s.opts.Store.Count(&a, cat, s.opts.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byPlatform := map[herald.Platform]int{}
	for p, n := range c.ByPlatform {
		byPlatform[p] = n
	}
	var byAccount map[string]int
	for acc, n := range c.ByAccount {
		if byAccount == nil {
			byAccount = map[string]int{}
		}
		byAccount[acc.String()] = n
	}
	writeJSON(w, http.StatusOK, struct {
		Total         int                     `json:"total"`
		ByPlatform    map[herald.Platform]int `json:"by_platform"`
		ByAccount     map[string]int          `json:"by_account,omitempty"`
		Users         int                     `json:"users"`
		Groups        int                     `json:"groups"`
		OutsideWindow int                     `json:"outside_window"`
		BeforeSample  int                     `json:"before_sample,omitempty"`
		Control       int                     `json:"control,omitempty"`
	}{c.Total, byPlatform, byAccount, c.Users, c.Groups, c.OutsideWindow, c.Before, c.Control})
}

// lookupAccount finds an account named as audiences name it ("line:shop")
// among the bot's (accounts; nil: any well-formed name, for tests).
func lookupAccount(accounts map[string]herald.Account, name string) (herald.Account, bool) {
	if accounts == nil {
		acc, err := herald.ParseAccount(name)
		return acc, err == nil
	}
	acc, ok := accounts[strings.ToLower(strings.TrimSpace(name))]
	return acc, ok
}

// accounts sets out's Accounts from the request's names, each a known
// account (Options.Accounts); channels left out are the accounts'.
func (s *Server) accounts(out *herald.Audience, names []string) error {
	for _, name := range names {
		acc, ok := lookupAccount(s.opts.Accounts, name)
		if !ok {
			return &herald.ValidationError{Field: "audience.accounts", Code: herald.CodeInvalid}
		}
		if !slices.Contains(out.Accounts, acc) {
			out.Accounts = append(out.Accounts, acc)
		}
	}
	if len(out.Channels) == 0 {
		for _, acc := range out.Accounts {
			if !slices.Contains(out.Channels, acc.Platform) {
				out.Channels = append(out.Channels, acc.Platform)
			}
		}
	}
	return nil
}
