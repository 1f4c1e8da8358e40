package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/heraldbot/herald/locales"
)

// env returns a getenv over a fixed map, so tests never depend on the
// machine's environment.
func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// exampleEnv sets every ${VAR} that config.example.yaml references to a
// dummy value long enough to pass validation (an address for *_LISTEN).
func exampleEnv(t *testing.T) map[string]string {
	t.Helper()
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(string(data), -1) {
		vars[m[1]] = "dummy-" + strings.ToLower(m[1]) + "-0123456789"
		if strings.HasSuffix(m[1], "_LISTEN") {
			vars[m[1]] = "127.0.0.1:9090" // an address, not a secret
		}
	}
	return vars
}

func TestExampleConfigLoadsAndValidates(t *testing.T) {
	vars := exampleEnv(t)
	cfg, err := LoadConfig("../../config.example.yaml", env(vars))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("validate:\n%v", err)
	}
	if cfg.Telegram.Token != vars["TELEGRAM_TOKEN"] || !cfg.TelegramEnabled() {
		t.Errorf("telegram.token = %q, want it read from TELEGRAM_TOKEN", cfg.Telegram.Token)
	}
	if cfg.Telegram.WebhookSecret != vars["TELEGRAM_WEBHOOK_SECRET"] {
		t.Errorf("telegram.webhook_secret = %q", cfg.Telegram.WebhookSecret)
	}
	if !cfg.SlackEnabled() || !cfg.LINEEnabled() || !cfg.MessengerEnabled() {
		t.Errorf("with every variable set, every channel should be on: %v", enabledChannels(&cfg))
	}
	// The example documents the defaults: loading it must change nothing
	// but what the environment and the sample IDs fill in.
	def := DefaultConfig()
	def.Telegram.Token, def.Telegram.AdminChatIDs, def.Telegram.AdminUserIDs = cfg.Telegram.Token, []int64{-1001234567890}, []int64{}
	def.Telegram.WebhookSecret = cfg.Telegram.WebhookSecret
	def.Slack.BotToken, def.Slack.AppToken, def.Slack.SigningSecret = cfg.Slack.BotToken, cfg.Slack.AppToken, cfg.Slack.SigningSecret
	def.Slack.AllowedChannels, def.Slack.AllowedUsers, def.Slack.AllowedUserGroups = []string{"C0123456789"}, []string{}, []string{}
	def.LINE.ChannelSecret, def.LINE.ChannelToken = cfg.LINE.ChannelSecret, cfg.LINE.ChannelToken
	def.Messenger.PageToken, def.Messenger.AppSecret, def.Messenger.VerifyToken = cfg.Messenger.PageToken, cfg.Messenger.AppSecret, cfg.Messenger.VerifyToken
	def.API.Tokens = []APIToken{{Name: "crm", Token: vars["HERALD_API_TOKEN_CRM"]}}
	def.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "-1001234567890"}
	def.Metrics.Token, def.Metrics.Listen = vars["HERALD_METRICS_TOKEN"], vars["HERALD_METRICS_LISTEN"]
	def.Schedule.QuietHours = &QuietHoursConfig{Start: "22:00", End: "08:00"}
	if diff := cmp.Diff(def, cfg); diff != "" {
		t.Errorf("config.example.yaml differs from DefaultConfig (-default +example):\n%s", diff)
	}
}

// TestExampleConfigWithSomePlatforms loads config.example.yaml as an
// operator who uses only some platforms would: only their variables set.
func TestExampleConfigWithSomePlatforms(t *testing.T) {
	all := exampleEnv(t)
	tests := []struct {
		name string
		set  []string
		on   string   // enabledChannels, joined
		off  []string // sections switched off for want of their variables
		// notes are what check-config says is still missing to be of use
		notes []string
	}{
		{"nothing set", nil, "none", []string{"api", "line", "messenger", "slack", "telegram"}, []string{"no admin chat is on", "no delivery channel is on"}},
		{"telegram only", []string{"TELEGRAM_TOKEN"}, "telegram", []string{"api", "line", "messenger", "slack"}, nil},
		{"line only", []string{"LINE_CHANNEL_SECRET", "LINE_CHANNEL_TOKEN"}, "line", []string{"api", "messenger", "slack", "telegram"}, []string{"no admin chat is on"}},
		{"slack only", []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"}, "slack", []string{"api", "line", "messenger", "telegram"}, []string{"no delivery channel is on"}},
		{"slack over socket mode and messenger", []string{"SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "MESSENGER_PAGE_TOKEN", "MESSENGER_APP_SECRET", "MESSENGER_VERIFY_TOKEN"},
			"slack,messenger", []string{"api", "line", "telegram"}, nil},
		{"telegram and the api", []string{"TELEGRAM_TOKEN", "HERALD_API_TOKEN_CRM"}, "telegram", []string{"line", "messenger", "slack"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{}
			for _, k := range tt.set {
				vars[k] = all[k]
			}
			cfg, err := LoadConfig("../../config.example.yaml", env(vars))
			if err == nil {
				err = cfg.Validate()
			}
			if err != nil {
				t.Fatalf("with only %v set:\n%v", tt.set, err)
			}
			if got := strings.Join(enabledChannels(&cfg), ","); got != tt.on {
				t.Errorf("enabled = %s, want %s", got, tt.on)
			}
			var off []string
			for s := range cfg.SectionsOff {
				off = append(off, s)
			}
			slices.Sort(off)
			if diff := cmp.Diff(tt.off, off); diff != "" {
				t.Errorf("sections off (-want +got):\n%s", diff)
			}
			var out strings.Builder
			describeConfig(&out, &cfg, "config.example.yaml")
			if got := strings.Count(out.String(), "\nnote: "); got != len(tt.notes) {
				t.Errorf("%d notes, want %d:\n%s", got, len(tt.notes), out.String())
			}
			for _, n := range tt.notes {
				if !strings.Contains(out.String(), "\nnote: "+n) {
					t.Errorf("check-config lacks the note %q:\n%s", n, out.String())
				}
			}
		})
	}
	// One variable of a section set and its sibling forgotten: the
	// forgotten one is named, not the section silently turned off.
	_, err := LoadConfig("../../config.example.yaml", env(map[string]string{"LINE_CHANNEL_SECRET": "s"}))
	want := "line.channel_token: environment variable LINE_CHANNEL_TOKEN is not set — export it, or write ${LINE_CHANNEL_TOKEN:-} to allow it to be empty"
	if err == nil || err.Error() != want {
		t.Errorf("half of LINE set: %v; want %q", err, want)
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	def := DefaultConfig()
	if err := def.Validate(); err != nil {
		t.Fatalf("the embedded defaults must start the bot:\n%v", err)
	}
	cfg, err := ParseConfig("empty.yaml", nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(def, cfg); diff != "" {
		t.Errorf("an empty file should mean the defaults:\n%s", diff)
	}
}

// TestConfigLocaleIsAShippedCatalog: the config accepts exactly the
// languages the locales package ships, and each one starts the catalog.
func TestConfigLocaleIsAShippedCatalog(t *testing.T) {
	for _, lang := range locales.Languages {
		c := DefaultConfig()
		c.Locale = lang
		if err := c.Validate(); err != nil {
			t.Errorf("locale %q: %v", lang, err)
		}
		if _, err := locales.New(lang); err != nil {
			t.Errorf("locale %q is accepted but the catalog does not load: %v", lang, err)
		}
	}
	c := DefaultConfig()
	c.Locale = "fr"
	if c.Validate() == nil {
		t.Error(`locale "fr" has no catalog but was accepted`)
	}
}

func TestParseConfigProblems(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"typo at the top", "timezone: UTC\ntelgram:\n  token: x\n",
			[]string{`config.yaml:2: unknown key "telgram" (did you mean "telegram"?)`}},
		{"typo in a section", "telegram:\n  token: x\n  admn_chat_ids: [1]\n",
			[]string{`config.yaml:3: unknown key "telegram.admn_chat_ids" (did you mean "admin_chat_ids"?)`}},
		{"nothing close", "storage:\n  directory: /var/lib\n",
			[]string{`config.yaml:2: unknown key "storage.directory" (known keys here: driver, path, postgres_url)`}},
		{"text for a number", "dispatch:\n  max_retries: many\n",
			[]string{`config.yaml:2: dispatch.max_retries: "many" is not a whole number`}},
		{"one ID for a list", "telegram:\n  admin_chat_ids: -100123\n",
			[]string{`config.yaml:2: telegram.admin_chat_ids: "-100123" is not a list, e.g. [a, b] or one "- item" per line`}},
		{"text in a list of numbers", "telegram:\n  admin_chat_ids:\n    - -100123\n    - admins\n",
			[]string{`config.yaml:4: telegram.admin_chat_ids[1]: "admins" is not a whole number`}},
		{"seconds without a unit", "flows:\n  undo_delay: 60\n",
			[]string{`config.yaml:2: flows.undo_delay: 60 has no unit — write "60s" for seconds (or "60m", "60h")`}},
		{"days", "schedule:\n  retention: 90d\n",
			[]string{`config.yaml:2: schedule.retention: "90d": days are not a Go duration unit — write "2160h" (90 days)`}},
		{"all problems at once", "flows:\n  undo_delay: soon\nhttp:\n  listen_on: x\n",
			[]string{`config.yaml:2: flows.undo_delay: "soon" is not a duration — write e.g. "90s", "5m" or "24h"`,
				`config.yaml:4: unknown key "http.listen_on" (did you mean "listen"?)`}},
		{"bad indentation", "telegram:\n  token: x\n admin_chat_ids: [1]\n",
			[]string{`config.yaml:2: did not find expected key (check the indentation and quoting near that line)`}},
		{"a tab for indentation", "telegram:\n\ttoken: x\n",
			[]string{`config.yaml:2: tabs are not allowed in YAML; indent with spaces`}},
		{"a tab after a list dash", "telegram:\n  admin_chat_ids:\n    -\t-1001\n",
			[]string{`config.yaml:3: tabs are not allowed in YAML; indent with spaces`}},
		{"unset variable", "storage:\n  path: ${NOPE}/herald.db\n",
			[]string{`storage.path: environment variable NOPE is not set — export it, or write ${NOPE:-} to allow it to be empty`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig("config.yaml", []byte(tt.yaml), env(nil))
			var got []string
			if err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseConfigValues(t *testing.T) {
	cfg, err := ParseConfig("config.yaml", []byte(`
timezone: Asia/Taipei
flows:
  undo_delay: 90s
  approval_threshold: 5000
telegram:
  token: "${TG}"
  admin_chat_ids: [-1001, -1002]
slack:
  signing_secret: ${SLACK_SECRET:-}
api:
  tokens:
    - {name: crm, token: "${CRM}"}
  report_to: {frontend: telegram, chat: -1001}
schedule:
  quiet_hours: {start: "21:30", end: "07:00"}
`), env(map[string]string{"TG": "123:abc", "CRM": "p$$word-that-is-long-enough"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Flows.UndoDelay.D() != 90*time.Second || cfg.Flows.ApprovalThreshold != 5000 {
		t.Errorf("flows = %+v", cfg.Flows)
	}
	if cfg.Flows.SessionTTL.D() != 24*time.Hour {
		t.Errorf("unset keys keep their defaults: session_ttl = %s", cfg.Flows.SessionTTL)
	}
	if cfg.Telegram.Token != "123:abc" || len(cfg.Telegram.AdminChatIDs) != 2 {
		t.Errorf("telegram = %+v", cfg.Telegram)
	}
	if cfg.Slack.SigningSecret != "" {
		t.Errorf("${SLACK_SECRET:-} with the variable unset should be empty, got %q", cfg.Slack.SigningSecret)
	}
	// A variable's value is used as is: "$$" inside it is not expanded again.
	if cfg.API.Tokens[0].Token != "p$$word-that-is-long-enough" {
		t.Errorf("api token = %q", cfg.API.Tokens[0].Token)
	}
	// A Telegram chat ID may be written as a number.
	if rt := cfg.API.ReportTo; rt == nil || rt.Frontend != "telegram" || rt.Chat != "-1001" {
		t.Errorf("api.report_to = %+v", rt)
	}
	if cfg.Location().String() != "Asia/Taipei" || cfg.Schedule.QuietHours.Start != "21:30" {
		t.Errorf("timezone %s, quiet hours %+v", cfg.Location(), cfg.Schedule.QuietHours)
	}
}

func TestExpandEnv(t *testing.T) {
	vars := env(map[string]string{"A": "alpha", "EMPTY": ""})
	tests := []struct{ in, want, err string }{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "alpha"},
		{in: "x-${A}-y", want: "x-alpha-y"},
		{in: "${A}${A}", want: "alphaalpha"},
		{in: "${MISSING:-fallback}", want: "fallback"},
		{in: "${EMPTY:-fallback}", want: "fallback"},
		{in: "${EMPTY}", want: ""},
		{in: "$$A and $$", want: "$A and $"},
		{in: "pa$word$", want: "pa$word$"},
		{in: "${MISSING}", err: "environment variable MISSING is not set — export it, or write ${MISSING:-} to allow it to be empty"},
		{in: "${A", err: "unclosed ${ — write ${NAME}"},
		{in: "${1A}", err: "${1A} is not a valid environment variable name"},
	}
	for _, tt := range tests {
		got, err := expandEnv(tt.in, vars)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.err {
			t.Errorf("expandEnv(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.err)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(c *Config)
		want   []string
	}{
		{"telegram without admin group", func(c *Config) { c.Telegram.Token = "123:abc" },
			[]string{`telegram.admin_chat_ids: must not be empty when telegram.token is set — add the ID of your admin group (see README "Telegram")`}},
		{"telegram webhook over http", func(c *Config) {
			c.Telegram = TelegramConfig{Token: "1:a", APIURL: "https://api.telegram.org", AdminChatIDs: []int64{-1}, WebhookURL: "http://x", WebhookSecret: "ok"}
		}, []string{`telegram.webhook_url: "http://x" must be an https:// URL (Telegram only calls https webhooks) — or remove it to use long polling`}},
		{"cluster lease too short", func(c *Config) {
			c.Storage = StorageConfig{Driver: driverPostgres, PostgresURL: "postgres://herald@db.example.org/herald"}
			c.Cluster.LeaseTTL = Duration(500 * time.Millisecond)
		}, []string{`cluster.lease_ttl: 500ms is too short — use 1s or more (the default is 10s): renewals go every third of it, and a slow database would hand the sending over for nothing`}},
		{"cluster unused with bbolt", func(c *Config) { c.Cluster.LeaseTTL = 0 }, nil},
		{"bad timezone and locale together", func(c *Config) { c.Timezone, c.Locale = "Mars/Olympus", "fr" }, []string{
			`timezone: "Mars/Olympus" is not an IANA time zone — use a name such as "UTC", "Asia/Taipei" or "America/New_York"`,
			`locale: "fr" is not available — use one of en, zh-TW, zh-CN, ja`}},
		{"half a slack app", func(c *Config) { c.Slack.BotToken, c.Slack.AllowedUsers = "xoxb-1", []string{"U1"} }, []string{
			`slack.app_token: must be set when slack.bot_token is set — an app-level token (xapp-…) with connections:write, for Socket Mode`}},
		{"slack nobody may use", func(c *Config) { c.Slack.BotToken, c.Slack.AppToken = "xoxb-1", "xapp-1" }, []string{
			`slack.allowed_channels: is empty, and so are slack.allowed_users and slack.allowed_usergroups, so nobody could use Herald in Slack — list channel IDs (C…), user IDs (U…) and/or user group IDs (S…)`}},
		{"slack user group by handle", func(c *Config) {
			c.Slack = SlackConfig{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "https://slack.com/api/", AllowedUserGroups: []string{"@managers"}}
		}, []string{`slack.allowed_usergroups: "@managers" is not a user group ID — use the S… ID (the group's page → ⋯ → Copy group ID), not its @handle`}},
		{"line token without secret", func(c *Config) { c.LINE.ChannelToken = "tok" }, []string{
			`line.channel_secret: must be set when line.channel_token is set — it verifies LINE's webhook signatures (LINE Developers console → Basic settings)`}},
		{"messenger without secrets", func(c *Config) { c.Messenger.PageToken = "EAA" }, []string{
			`messenger.app_secret: must be set when messenger.page_token is set — it verifies webhook signatures (Meta app dashboard → App settings → Basic)`,
			`messenger.verify_token: must be set when messenger.page_token is set — any random string; enter the same one in the app's webhook settings`}},
		{"messenger batch too big", func(c *Config) { c.Messenger.BatchSize = 100 }, []string{
			`messenger.batch_size: 100 is not a batch size — use 1 to 50 people a request (50, the default, is Graph's most; 1 sends one request per person)`}},
		{"messenger batching off", func(c *Config) { c.Messenger.BatchSize = 1 }, nil},
		{"short and duplicate api tokens", func(c *Config) {
			c.API.Tokens = []APIToken{{Name: "crm", Token: strings.Repeat("x", 32)}, {Name: "crm", Token: "short"}}
		}, []string{`api.tokens[1].name: "crm" is used twice — give each token its own name`,
			`api.tokens[1].token: must be at least 20 characters — e.g. the output of: openssl rand -hex 32`}},
		{"listen without port", func(c *Config) { c.HTTP.Listen = "localhost" }, []string{
			`http.listen: "localhost" is not host:port — e.g. "127.0.0.1:8080", or ":8080" for every interface`}},
		{"quiet hours typo", func(c *Config) { c.Schedule.QuietHours = &QuietHoursConfig{Start: "10pm", End: "08:00"} }, []string{
			`schedule.quiet_hours.start: "10pm" is not a time of day — write 24-hour "HH:MM", e.g. "22:00"`}},
		{"quiet hours of no time", func(c *Config) { c.Schedule.QuietHours = &QuietHoursConfig{Start: "22:00", End: "22:00"} }, []string{
			`schedule.quiet_hours: start and end are both "22:00", a window of no time — give two different times, e.g. start "22:00", end "08:00", or remove quiet_hours`}},
		{"negative memory limit", func(c *Config) { c.MemoryLimitMB = -1 }, []string{
			`memory_limit_mb: must be 0 (no limit) or more — e.g. 66, about 52 per million subscribers plus 14`}},
		{"zero rate", func(c *Config) { c.Dispatch.MessengerPerSecond = 0 }, []string{
			`dispatch.messenger_per_second: must be more than 0 (a rate); the defaults are the platform's published limits`}},
		{"slack url without slash", func(c *Config) { c.Slack.APIURL = "http://127.0.0.1:9/api" }, []string{
			`slack.api_url: "http://127.0.0.1:9/api" must end with / (the Slack client appends method names to it)`}},
		{"api reports to a telegram admin group", func(c *Config) {
			c.Telegram.Token, c.Telegram.AdminChatIDs = "1:a", []int64{-100123}
			c.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "-100123"}
		}, nil},
		{"api reports to a slack thread in an allowed channel", func(c *Config) {
			c.Slack = SlackConfig{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "https://slack.com/api/", AllowedChannels: []string{"C1"}}
			c.API.ReportTo = &ChatRef{Frontend: "slack", Chat: "C1:1700000000.000100"}
		}, nil},
		{"api reports to a chat herald ignores", func(c *Config) {
			c.Telegram.Token, c.Telegram.AdminChatIDs = "1:a", []int64{-100123}
			c.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "-100999"}
		}, []string{`api.report_to.chat: -100999 is neither in telegram.admin_chat_ids nor in telegram.admin_user_ids, so Herald would ignore the buttons of its reports there — use an admin group, or add it`}},
		{"api reports to a channel herald refuses", func(c *Config) {
			c.Slack = SlackConfig{BotToken: "xoxb-1", AppToken: "xapp-1", APIURL: "https://slack.com/api/", AllowedChannels: []string{"C1"}}
			c.API.ReportTo = &ChatRef{Frontend: "slack", Chat: "C2"}
		}, []string{`api.report_to.chat: C2 is not in slack.allowed_channels, so Herald would refuse the buttons of its reports there — add it, or use an allowed channel`}},
		{"api reports to a chat name or nowhere", func(c *Config) {
			c.Telegram.Token, c.Telegram.AdminChatIDs = "1:a", []int64{-100123}
			c.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "admins"}
		}, []string{`api.report_to.chat: "admins" is not a Telegram chat ID — use your admin group's ID, e.g. "-1001234567890"`}},
		{"api reports to an unknown frontend", func(c *Config) { c.API.ReportTo = &ChatRef{Frontend: "email", Chat: "ops@example.org"} }, []string{
			`api.report_to.frontend: "email" is not an admin chat — use telegram or slack`}},
		{"api reports to telegram without a bot", func(c *Config) { c.API.ReportTo = &ChatRef{Frontend: "telegram", Chat: "-100123"} }, []string{
			`api.report_to.frontend: is telegram but telegram.token is empty — set up Telegram (see README), or report to slack`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.change(&c)
			var got []string
			if err := c.Validate(); err != nil {
				got = strings.Split(err.Error(), "\n")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
