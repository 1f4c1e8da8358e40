package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heraldbot/herald"
)

// defaultAccountName is what admins call a platform's default account (its
// top-level settings) when the platform has named accounts too.
const defaultAccountName = "main"

// TelegramAccount is one more Telegram bot: its own token, its own
// webhook (or long polling) and its own rates.
type TelegramAccount struct {
	Name  string `yaml:"name"`
	Token string `yaml:"token"`
	// APIURL defaults to telegram.api_url.
	APIURL        string `yaml:"api_url"`
	WebhookURL    string `yaml:"webhook_url"`
	WebhookSecret string `yaml:"webhook_secret"`
	// The rates, each defaulting to the dispatch section's for Telegram.
	PerSecond        float64 `yaml:"per_second"`
	PerChatPerSecond float64 `yaml:"per_chat_per_second"`
	GroupPerMinute   float64 `yaml:"group_per_minute"`
}

// LINEAccount is one more LINE Official Account (channel); its webhook is
// /webhooks/line/{name}.
type LINEAccount struct {
	Name          string `yaml:"name"`
	ChannelSecret string `yaml:"channel_secret"`
	ChannelToken  string `yaml:"channel_token"`
	// APIURL and DataAPIURL default to line's.
	APIURL     string `yaml:"api_url"`
	DataAPIURL string `yaml:"data_api_url"`
	// The rates, each defaulting to the dispatch section's for LINE.
	PerSecond     float64 `yaml:"per_second"`
	PushPerSecond float64 `yaml:"push_per_second"`
}

// MessengerAccount is one more Facebook Page; its webhook is
// /webhooks/messenger/{name}.
type MessengerAccount struct {
	Name        string `yaml:"name"`
	PageToken   string `yaml:"page_token"`
	AppSecret   string `yaml:"app_secret"`
	VerifyToken string `yaml:"verify_token"`
	// PageID, when set, routes this page's events that arrive at
	// /webhooks/messenger (the top-level page's Meta app, which has one
	// webhook URL for all its pages) to this account.
	PageID string `yaml:"page_id"`
	// APIURL and APIVersion default to messenger's.
	APIURL     string `yaml:"api_url"`
	APIVersion string `yaml:"api_version"`
	// PerSecond defaults to dispatch.messenger_per_second.
	PerSecond float64 `yaml:"per_second"`
	// BatchSize defaults to messenger.batch_size.
	BatchSize int `yaml:"batch_size"`
}

// applyAccountDefaults fills each named account's unset API URLs and rates
// from its platform's section and the dispatch section.
func (c *Config) applyAccountDefaults() {
	d := c.Dispatch
	or := func(v, def float64) float64 {
		if v == 0 {
			return def
		}
		return v
	}
	orS := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	for i := range c.Telegram.Accounts {
		a := &c.Telegram.Accounts[i]
		a.APIURL = orS(a.APIURL, c.Telegram.APIURL)
		a.PerSecond = or(a.PerSecond, d.TelegramPerSecond)
		a.PerChatPerSecond = or(a.PerChatPerSecond, d.TelegramPerChatPerSecond)
		a.GroupPerMinute = or(a.GroupPerMinute, d.TelegramGroupPerMinute)
	}
	for i := range c.LINE.Accounts {
		a := &c.LINE.Accounts[i]
		a.APIURL, a.DataAPIURL = orS(a.APIURL, c.LINE.APIURL), orS(a.DataAPIURL, c.LINE.DataAPIURL)
		a.PerSecond, a.PushPerSecond = or(a.PerSecond, d.LINEPerSecond), or(a.PushPerSecond, d.LINEPushPerSecond)
	}
	for i := range c.Messenger.Accounts {
		a := &c.Messenger.Accounts[i]
		a.APIURL, a.APIVersion = orS(a.APIURL, c.Messenger.APIURL), orS(a.APIVersion, c.Messenger.APIVersion)
		a.PerSecond = or(a.PerSecond, d.MessengerPerSecond)
		if a.BatchSize == 0 {
			a.BatchSize = c.Messenger.BatchSize
		}
	}
}

// defaultName is what admins call platform section's default account.
func defaultName(name string) string {
	if name == "" {
		return defaultAccountName
	}
	return name
}

// accountNames lists a platform's named accounts' names, in config order.
func (c *Config) accountNames(p herald.Platform) []string {
	var out []string
	switch p {
	case herald.Telegram:
		for _, a := range c.Telegram.Accounts {
			out = append(out, a.Name)
		}
	case herald.LINE:
		for _, a := range c.LINE.Accounts {
			out = append(out, a.Name)
		}
	case herald.Messenger:
		for _, a := range c.Messenger.Accounts {
			out = append(out, a.Name)
		}
	}
	return out
}

// defaultOn reports whether platform p's default account is configured.
func (c *Config) defaultOn(p herald.Platform) bool {
	switch p {
	case herald.Telegram:
		return c.TelegramEnabled()
	case herald.LINE:
		return c.LINEEnabled()
	}
	return c.MessengerEnabled()
}

// deliveryAccounts are the accounts with credentials, platform by
// platform, each platform's default account first.
func (c *Config) deliveryAccounts() []herald.Account {
	var out []herald.Account
	for _, p := range herald.Platforms {
		if c.defaultOn(p) {
			out = append(out, herald.Account{Platform: p})
		}
		for _, name := range c.accountNames(p) {
			out = append(out, herald.Account{Platform: p, Name: name})
		}
	}
	return out
}

// validateAccounts checks every platform's accounts list: names that read
// well in a URL and a one-liner, each once per platform (the default
// account's name included), and each account's credentials.
func (c *Config) validateAccounts(add addFunc) {
	section := map[herald.Platform]string{herald.Telegram: "telegram", herald.LINE: "line", herald.Messenger: "messenger"}
	defaults := map[herald.Platform]string{herald.Telegram: c.Telegram.Name, herald.LINE: c.LINE.Name, herald.Messenger: c.Messenger.Name}
	for _, p := range herald.Platforms {
		sec := section[p]
		def := defaultName(defaults[p])
		if !herald.ValidAccountName(def) {
			add(sec+".name", "%q is not an account name — use 1–%d lowercase letters, digits, - or _, starting with a letter, e.g. %q", def, herald.MaxAccountNameLen, defaultAccountName)
		}
		seen := []string{def}
		for i, name := range c.accountNames(p) {
			key := fmt.Sprintf("%s.accounts[%d].name", sec, i)
			switch {
			case name == "":
				add(key, `must not be empty — a short name admins pick the account by, e.g. "shop"`)
			case !herald.ValidAccountName(name):
				add(key, "%q is not an account name — use 1–%d lowercase letters, digits, - or _, starting with a letter, e.g. %q", name, herald.MaxAccountNameLen, strings.ToLower(strings.Trim(name, " -_")))
			case slices.Contains(seen, name):
				add(key, "%q is used twice on %s (the top-level account is %q) — give each account its own name", name, sec, def)
			}
			seen = append(seen, name)
		}
	}
	for i, a := range c.Telegram.Accounts {
		key := fmt.Sprintf("telegram.accounts[%d]", i)
		requireSet(add, key+".token", a.Token, "the bot's token from @BotFather, e.g. \"${TELEGRAM_%s_TOKEN}\"", envSuffix(a.Name))
		if a.Token != "" && a.Token == c.Telegram.Token {
			add(key+".token", "is telegram.token's — each account is its own bot with its own token")
		}
		checkOptionalURL(add, key+".api_url", a.APIURL)
		if a.WebhookURL != "" && !isHTTPURL(a.WebhookURL, true) {
			add(key+".webhook_url", "%q must be an https:// URL ending in /webhooks/telegram/%s — or remove it to use long polling", a.WebhookURL, a.Name)
		}
		if a.WebhookURL != "" && !validTelegramSecret(a.WebhookSecret) {
			add(key+".webhook_secret", "must be 1–256 characters of A–Z, a–z, 0–9, _ and - when webhook_url is set — e.g. the output of: openssl rand -hex 32")
		}
		c.checkRates(add, key, a.PerSecond, a.PerChatPerSecond, a.GroupPerMinute)
	}
	for i, a := range c.LINE.Accounts {
		key := fmt.Sprintf("line.accounts[%d]", i)
		requireSet(add, key+".channel_token", a.ChannelToken, "the channel access token (LINE Developers console → Messaging API), e.g. \"${LINE_%s_TOKEN}\"", envSuffix(a.Name))
		requireSet(add, key+".channel_secret", a.ChannelSecret, "it verifies the channel's webhook signatures (LINE Developers console → Basic settings)")
		checkOptionalURL(add, key+".api_url", a.APIURL)
		checkOptionalURL(add, key+".data_api_url", a.DataAPIURL)
		c.checkRates(add, key, a.PerSecond, a.PushPerSecond)
	}
	for i, a := range c.Messenger.Accounts {
		key := fmt.Sprintf("messenger.accounts[%d]", i)
		requireSet(add, key+".page_token", a.PageToken, "the Page's access token, e.g. \"${MESSENGER_%s_TOKEN}\"", envSuffix(a.Name))
		requireSet(add, key+".app_secret", a.AppSecret, "it verifies the page's webhook signatures (Meta app dashboard → App settings → Basic)")
		requireSet(add, key+".verify_token", a.VerifyToken, "any random string; enter the same one in the webhook settings of /webhooks/messenger/%s", a.Name)
		if strings.Trim(a.PageID, "0123456789") != "" {
			add(key+".page_id", "%q is not a page ID — use the page's numeric ID (the page → About → Page transparency), or leave it out", a.PageID)
		} else if a.PageID != "" && slices.ContainsFunc(c.Messenger.Accounts[:i], func(o MessengerAccount) bool { return o.PageID == a.PageID }) {
			add(key+".page_id", "%s is used twice — each page is one account", a.PageID)
		}
		checkOptionalURL(add, key+".api_url", a.APIURL)
		c.checkRates(add, key, a.PerSecond)
		checkBatchSize(add, key+".batch_size", a.BatchSize)
	}
}

// requireSet says an account's key must be set, and how to get its value
// (how and a, as for add), when v is empty.
func requireSet(add addFunc, key, v, how string, a ...any) {
	if v == "" {
		add(key, "must be set — "+how, a...)
	}
}

// checkOptionalURL checks an account's URL key, when set (empty: the
// platform section's).
func checkOptionalURL(add addFunc, key, v string) {
	if v != "" {
		checkURL(add, key, v)
	}
}

// checkRates refuses a negative rate of an account (0 takes the dispatch
// section's).
func (c *Config) checkRates(add addFunc, key string, rates ...float64) {
	for _, r := range rates {
		if r < 0 {
			add(key, "has a negative rate — rates are requests per second (per minute for group_per_minute); leave one out to use the dispatch section's")
			return
		}
	}
}

// envSuffix is an account name as it reads in an environment variable.
func envSuffix(name string) string {
	return strings.ToUpper(strings.NewReplacer("-", "_").Replace(name))
}

// describeAccounts prints one check-config row per named account: its
// webhook and its rates (never its secrets).
func describeAccounts(row func(cols ...string), c *Config) {
	for _, a := range c.Telegram.Accounts {
		mode := "long polling"
		if a.WebhookURL != "" {
			mode = "webhook " + a.WebhookURL + ", secret " + secret(a.WebhookSecret)
		}
		row("telegram:"+a.Name, "on", fmt.Sprintf("token set; %s; %g/s, %g/s per chat, %g/min per group; end users only (the admin group talks to the telegram bot above)",
			mode, a.PerSecond, a.PerChatPerSecond, a.GroupPerMinute))
	}
	for _, a := range c.LINE.Accounts {
		row("line:"+a.Name, "on", fmt.Sprintf("channel secret and token set; webhook /webhooks/line/%s; %g multicasts/s, %g pushes/s; API %s",
			a.Name, a.PerSecond, a.PushPerSecond, a.APIURL))
	}
	for _, a := range c.Messenger.Accounts {
		row("messenger:"+a.Name, "on", fmt.Sprintf("page token, app secret and verify token set; webhook /webhooks/messenger/%s; %g/s; %s; API %s/%s",
			a.Name, a.PerSecond, batchWords(a.BatchSize), a.APIURL, a.APIVersion))
	}
}
