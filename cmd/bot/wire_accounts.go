package main

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	dline "github.com/heraldbot/herald/dispatch/line"
	dmessenger "github.com/heraldbot/herald/dispatch/messenger"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
	"github.com/heraldbot/herald/flows"
)

// newAccountSenders builds a sender per named account, each with its own
// credentials (the default accounts' are newSenders').
func newAccountSenders(c *Config, mediaURL func(string) string, moves dtelegram.Mover) (map[herald.Account]dispatch.Sender, error) {
	out := map[herald.Account]dispatch.Sender{}
	for _, a := range c.LINE.Accounts {
		s, err := dline.New(dline.Config{Token: a.ChannelToken, BaseURL: a.APIURL, MediaURL: mediaURL})
		if err != nil {
			return nil, fmt.Errorf("line sender %s: %w", a.Name, err)
		}
		out[herald.Account{Platform: herald.LINE, Name: a.Name}] = s
	}
	for _, a := range c.Telegram.Accounts {
		s, err := dtelegram.New(dtelegram.Config{Token: a.Token, BaseURL: a.APIURL, MediaURL: mediaURL, Moves: moves,
			ChatGap: perGap(a.PerChatPerSecond, time.Second), GroupGap: perGap(a.GroupPerMinute, time.Minute)})
		if err != nil {
			return nil, fmt.Errorf("telegram sender %s: %w", a.Name, err)
		}
		out[herald.Account{Platform: herald.Telegram, Name: a.Name}] = s
	}
	for _, a := range c.Messenger.Accounts {
		s, err := dmessenger.New(dmessenger.Config{PageToken: a.PageToken, AppSecret: a.AppSecret,
			BaseURL: a.APIURL, Version: a.APIVersion, MediaURL: mediaURL, BatchSize: a.BatchSize})
		if err != nil {
			return nil, fmt.Errorf("messenger sender %s: %w", a.Name, err)
		}
		out[herald.Account{Platform: herald.Messenger, Name: a.Name}] = s
	}
	return out, nil
}

// accountLimits adds each named account's rates to limits, under its own
// classes' names (dispatch.AccountClass), so that two accounts on one
// platform are each held to their own.
func accountLimits(c *Config, limits dispatch.Limits) dispatch.Limits {
	set := func(class, account string, rate float64) {
		limits.PerSecond[dispatch.AccountClass(class, account)] = rate
	}
	for _, a := range c.LINE.Accounts {
		set(dline.MulticastClass, a.Name, a.PerSecond)
		set(dline.PushClass, a.Name, a.PushPerSecond)
	}
	for _, a := range c.Telegram.Accounts {
		set(dtelegram.Class, a.Name, a.PerSecond)
	}
	for _, a := range c.Messenger.Accounts {
		set(dmessenger.Class, a.Name, a.PerSecond)
		set(dmessenger.BatchClass, a.Name, dmessenger.BatchRate(a.PerSecond, a.BatchSize))
	}
	return limits
}

// flowAccounts are the accounts the wizard offers, with the names admins
// call them by.
func flowAccounts(c *Config) []flows.Account {
	names := map[herald.Platform]string{herald.Telegram: c.Telegram.Name, herald.LINE: c.LINE.Name, herald.Messenger: c.Messenger.Name}
	var out []flows.Account
	for _, acc := range c.deliveryAccounts() {
		name := acc.Name
		if name == "" {
			name = defaultName(names[acc.Platform])
		}
		out = append(out, flows.Account{Account: acc, Name: name})
	}
	return out
}

// apiAccounts are the accounts by every name the REST API takes for them:
// "line:shop", and a default account as "line" or by its name.
func apiAccounts(c *Config) map[string]herald.Account {
	out := map[string]herald.Account{}
	for _, a := range flowAccounts(c) {
		out[a.Account.String()] = a.Account
		out[string(a.Platform)+":"+a.Name] = a.Account
	}
	return out
}
