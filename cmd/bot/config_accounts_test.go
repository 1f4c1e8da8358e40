package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	dline "github.com/heraldbot/herald/dispatch/line"
	dtelegram "github.com/heraldbot/herald/dispatch/telegram"
)

// A config of today's single-account keys reads as before: no named
// account, each platform's one account its default.
func TestSingleAccountConfigIsUnchanged(t *testing.T) {
	cfg, err := ParseConfig("config.yaml", []byte(`
line:
  channel_secret: s
  channel_token: t
telegram:
  token: "1:a"
  admin_chat_ids: [-1]
`), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	want := []herald.Account{{Platform: herald.LINE}, {Platform: herald.Telegram}}
	if diff := cmp.Diff(want, cfg.deliveryAccounts()); diff != "" {
		t.Errorf("accounts (-want +got):\n%s", diff)
	}
	if got := flowAccounts(&cfg); len(got) != 2 || got[0].Name != "main" {
		t.Errorf("the wizard's accounts: %+v", got)
	}
}

// Accounts lists take each platform's keys, the unset ones from the
// platform's section and the dispatch section; each account's rates
// reach its own rate classes.
func TestAccountsListsInConfig(t *testing.T) {
	cfg, err := ParseConfig("config.yaml", []byte(`
line:
  channel_secret: s
  channel_token: t
  api_url: http://line.local
  accounts:
    - name: shop
      channel_secret: ${SHOP_SECRET}
      channel_token: ${SHOP_TOKEN}
      push_per_second: 50
    - name: support
      channel_secret: s2
      channel_token: t2
telegram:
  token: "1:a"
  admin_chat_ids: [-1]
  name: brand
  accounts:
    - {name: shop, token: "2:b", per_second: 5}
dispatch:
  line_push_per_second: 700
`), env(map[string]string{"SHOP_SECRET": "shop-secret-9z", "SHOP_TOKEN": "st"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	shop, support := cfg.LINE.Accounts[0], cfg.LINE.Accounts[1]
	if shop.ChannelSecret != "shop-secret-9z" || shop.APIURL != "http://line.local" || shop.PushPerSecond != 50 || support.PushPerSecond != 700 {
		t.Errorf("line accounts: %+v", cfg.LINE.Accounts)
	}
	var names []string
	for _, a := range flowAccounts(&cfg) {
		names = append(names, a.String()+"="+a.Name)
	}
	if got := strings.Join(names, " "); got != "line=main line:shop=shop line:support=support telegram=brand telegram:shop=shop" {
		t.Errorf("accounts as admins see them: %s", got)
	}
	limits := accountLimits(&cfg, senderLimits(&cfg)).PerSecond
	for class, want := range map[string]float64{
		dline.PushClass: 700, dispatch.AccountClass(dline.PushClass, "shop"): 50,
		dispatch.AccountClass(dline.PushClass, "support"): 700, dispatch.AccountClass(dtelegram.Class, "shop"): 5,
	} {
		if limits[class] != want {
			t.Errorf("class %s: %g per second, want %g", class, limits[class], want)
		}
	}
	named, err := newAccountSenders(&cfg, nil, nil)
	if err != nil || len(named) != 3 {
		t.Errorf("%d named senders (%v), want 3", len(named), err)
	}
	cfg.AdminAccounts = []AdminAccounts{{Admin: "slack:U0123ABCD", Accounts: []string{"line:shop", "telegram:shop"}}}
	var out strings.Builder
	describeConfig(&out, &cfg, "config.yaml")
	for _, want := range []string{"line:shop", "webhook /webhooks/line/shop", "telegram:shop", "end users only",
		"slack:U0123ABCD  limited  may use line:shop, telegram:shop only (admin_accounts)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check-config does not say %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "shop-secret-9z") || strings.Contains(out.String(), "2:b") {
		t.Errorf("check-config shows a secret:\n%s", out.String())
	}
}

// Bad accounts lists are refused with what to do.
func TestAccountsConfigErrors(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(c *Config)
		want []string
	}{
		{"duplicate and bad names", func(c *Config) {
			c.LINE.Accounts = []LINEAccount{{Name: "shop", ChannelSecret: "s", ChannelToken: "t"}, {Name: "shop", ChannelSecret: "s", ChannelToken: "t"},
				{Name: "Main Shop", ChannelSecret: "s", ChannelToken: "t"}, {Name: "main", ChannelSecret: "s", ChannelToken: "t"}}
		}, []string{
			`line.accounts[1].name: "shop" is used twice on line (the top-level account is "main") — give each account its own name`,
			`line.accounts[2].name: "Main Shop" is not an account name — use 1–32 lowercase letters, digits, - or _, starting with a letter, e.g. "main shop"`,
			`line.accounts[3].name: "main" is used twice on line (the top-level account is "main") — give each account its own name`,
		}},
		{"missing credentials", func(c *Config) {
			c.LINE.Accounts = []LINEAccount{{Name: "shop"}}
			c.Telegram.Accounts = []TelegramAccount{{Name: "vip-bot"}}
			c.Messenger.Accounts = []MessengerAccount{{Name: "shop", PageToken: "p"}}
		}, []string{
			`telegram.accounts[0].token: must be set — the bot's token from @BotFather, e.g. "${TELEGRAM_VIP_BOT_TOKEN}"`,
			`line.accounts[0].channel_token: must be set — the channel access token (LINE Developers console → Messaging API), e.g. "${LINE_SHOP_TOKEN}"`,
			`line.accounts[0].channel_secret: must be set — it verifies the channel's webhook signatures (LINE Developers console → Basic settings)`,
			`messenger.accounts[0].app_secret: must be set — it verifies the page's webhook signatures (Meta app dashboard → App settings → Basic)`,
			`messenger.accounts[0].verify_token: must be set — any random string; enter the same one in the webhook settings of /webhooks/messenger/shop`,
		}},
		{"page IDs", func(c *Config) {
			c.Messenger.Accounts = []MessengerAccount{{Name: "a", PageToken: "p", AppSecret: "s", VerifyToken: "v", PageID: "12"},
				{Name: "b", PageToken: "p", AppSecret: "s", VerifyToken: "v", PageID: "12"}, {Name: "c", PageToken: "p", AppSecret: "s", VerifyToken: "v", PageID: "my-page"}}
		}, []string{
			`messenger.accounts[1].page_id: 12 is used twice — each page is one account`,
			`messenger.accounts[2].page_id: "my-page" is not a page ID — use the page's numeric ID (the page → About → Page transparency), or leave it out`,
		}},
		{"an empty name", func(c *Config) { c.Telegram.Accounts = []TelegramAccount{{Token: "2:b"}} }, []string{
			`telegram.accounts[0].name: must not be empty — a short name admins pick the account by, e.g. "shop"`}},
		{"admin restricted to an unknown account", func(c *Config) {
			c.LINE = LINEConfig{ChannelSecret: "s", ChannelToken: "t", APIURL: "https://api.line.me", DataAPIURL: "https://api-data.line.me",
				Accounts: []LINEAccount{{Name: "shop", ChannelSecret: "s2", ChannelToken: "t2"}}}
			c.AdminAccounts = []AdminAccounts{{Admin: "telegram:42", Accounts: []string{"line:shop", "line:outlet"}}, {Admin: "discord:1", Accounts: []string{"line"}}}
		}, []string{
			`admin_accounts[0].accounts: "line:outlet" is not a configured account — use one of line:main, line:shop`,
			`admin_accounts[1].admin: "discord:1" is not an admin — write "telegram:<user ID>" (e.g. "telegram:4242"), "slack:<user ID>" (e.g. "slack:U0123ABCD") or "console:admin" (the -demo console)`,
		}},
		{"an unknown account among duplicate and bad names: the options name each good account once", func(c *Config) {
			c.LINE = LINEConfig{ChannelSecret: "s", ChannelToken: "t", APIURL: "https://api.line.me", DataAPIURL: "https://api-data.line.me",
				Accounts: []LINEAccount{{Name: "shop", ChannelSecret: "s2", ChannelToken: "t2"}, {Name: "shop", ChannelSecret: "s3", ChannelToken: "t3"},
					{Name: "Big", ChannelSecret: "s4", ChannelToken: "t4"}}}
			c.AdminAccounts = []AdminAccounts{{Admin: "slack:U1", Accounts: []string{"line:outlet"}}}
		}, []string{
			`line.accounts[1].name: "shop" is used twice on line (the top-level account is "main") — give each account its own name`,
			`line.accounts[2].name: "Big" is not an account name — use 1–32 lowercase letters, digits, - or _, starting with a letter, e.g. "big"`,
			`admin_accounts[0].accounts: "line:outlet" is not a configured account — use one of line:main, line:shop`,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			var got []string
			if p, ok := err.(Problems); ok {
				got = p
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
