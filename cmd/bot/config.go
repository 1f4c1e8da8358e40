package main

import "time"

// Config is everything an operator can set in config.yaml. Each section
// maps onto the options of the package that uses it; cmd/bot does that
// mapping, so no other package sees YAML.
//
// Secrets come from the environment: any string value may contain ${VAR}
// (or ${VAR:-default}); see expandEnv.
type Config struct {
	// LogLevel is debug, info, warn or error; -v on the command line means debug.
	LogLevel string `yaml:"log_level"`
	// Timezone is the bot's IANA zone: times admins type and see use it.
	Timezone string `yaml:"timezone"`
	// Locale is the admins' default language: en, zh-TW, zh-CN or ja.
	Locale string `yaml:"locale"`
	// PublicBaseURL is where this server is reachable from the internet
	// (https://herald.example.org); LINE and Messenger fetch uploaded images
	// from it.
	PublicBaseURL string `yaml:"public_base_url"`
	// MemoryLimitMB is the Go heap's soft limit (runtime/debug.SetMemoryLimit;
	// the GOMEMLIMIT variable wins when set): the collector works harder
	// near it instead of letting the heap grow to twice what is live, so a
	// run to a million recipients stays under 100 MB resident. The audience
	// index takes about 52 MB per million subscribers: raise the limit
	// with them. 0 is no limit.
	MemoryLimitMB int `yaml:"memory_limit_mb"`

	Storage   StorageConfig   `yaml:"storage"`
	Cluster   ClusterConfig   `yaml:"cluster"`
	HTTP      HTTPConfig      `yaml:"http"`
	Telegram  TelegramConfig  `yaml:"telegram"`
	Slack     SlackConfig     `yaml:"slack"`
	LINE      LINEConfig      `yaml:"line"`
	Messenger MessengerConfig `yaml:"messenger"`
	API       APIConfig       `yaml:"api"`
	Flows     FlowsConfig     `yaml:"flows"`
	Dispatch  DispatchConfig  `yaml:"dispatch"`
	Schedule  ScheduleConfig  `yaml:"schedule"`
	Inbound   InboundConfig   `yaml:"inbound"`
	Metrics   MetricsConfig   `yaml:"metrics"`
	// AdminAccounts restricts admins to some of the platforms' accounts;
	// an admin not listed may use them all.
	AdminAccounts []AdminAccounts `yaml:"admin_accounts"`

	// SectionsOff are the optional sections (platforms, api) switched off
	// because none of the environment variables they name is set: section
	// → those variables. check-config says so instead of "token is empty".
	SectionsOff map[string][]string `yaml:"-"`
}

// StorageConfig chooses the storage engine and says where it keeps its
// data: one bbolt file (the default: nothing to run beside Herald) or a
// PostgreSQL database (backups, replicas and the machine's loss handled by
// the database's own tools).
type StorageConfig struct {
	// Driver is bbolt or postgres.
	Driver string `yaml:"driver"`
	// Path is the bbolt database file; its directory is created when
	// missing. Unused with postgres.
	Path string `yaml:"path"`
	// PostgresURL is the PostgreSQL database with driver postgres
	// (postgres://user:password@host:5432/dbname); usually
	// ${HERALD_DATABASE_URL}, to keep the password out of the file.
	PostgresURL string `yaml:"postgres_url"`
}

// HTTPConfig is the one HTTP server: webhooks, /api/v1, /healthz, /metrics.
type HTTPConfig struct {
	Listen string `yaml:"listen"`
	// ShutdownTimeout bounds how long in-flight requests may take at shutdown.
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// The server's timeouts, so a slow or stalled client cannot hold a
	// connection (and its goroutine) for ever: reading the headers,
	// reading the whole request, writing the answer, and an idle
	// keep-alive connection.
	ReadHeaderTimeout Duration `yaml:"read_header_timeout"`
	ReadTimeout       Duration `yaml:"read_timeout"`
	WriteTimeout      Duration `yaml:"write_timeout"`
	IdleTimeout       Duration `yaml:"idle_timeout"`
}

// TelegramConfig is the Telegram bot: a delivery channel and an admin frontend.
type TelegramConfig struct {
	Token  string `yaml:"token"`
	APIURL string `yaml:"api_url"`
	// AdminChatIDs are the admin groups the bot takes commands in.
	AdminChatIDs []int64 `yaml:"admin_chat_ids"`
	// AdminUserIDs may also act in a private chat with the bot.
	AdminUserIDs []int64 `yaml:"admin_user_ids"`
	// WebhookURL switches from long polling to a webhook at this public URL.
	WebhookURL    string `yaml:"webhook_url"`
	WebhookSecret string `yaml:"webhook_secret"`
	// Name is what admins call the bot above (the default account) when
	// there are several: "main" unless set (see Accounts).
	Name string `yaml:"name"`
	// Accounts are more bots Herald delivers through (several brands);
	// the admin group stays with the bot above.
	Accounts []TelegramAccount `yaml:"accounts"`
}

// SlackConfig is the Slack admin frontend (Socket Mode: no public URL needed).
type SlackConfig struct {
	BotToken      string `yaml:"bot_token"`
	AppToken      string `yaml:"app_token"`
	SigningSecret string `yaml:"signing_secret"`
	APIURL        string `yaml:"api_url"`
	// AllowedChannels are where Herald answers; AllowedUsers and the
	// members of AllowedUserGroups (S… IDs) may act. With neither users
	// nor groups, everyone in the allowed channels may act.
	AllowedChannels   []string `yaml:"allowed_channels"`
	AllowedUsers      []string `yaml:"allowed_users"`
	AllowedUserGroups []string `yaml:"allowed_usergroups"`
}

// LINEConfig is the LINE Official Account Herald delivers through.
type LINEConfig struct {
	ChannelSecret string `yaml:"channel_secret"`
	ChannelToken  string `yaml:"channel_token"`
	APIURL        string `yaml:"api_url"`
	// DataAPIURL serves content downloads (images users send).
	DataAPIURL string `yaml:"data_api_url"`
	// Name is what admins call the channel above (the default account)
	// when there are several: "main" unless set.
	Name string `yaml:"name"`
	// Accounts are more LINE channels Herald delivers through.
	Accounts []LINEAccount `yaml:"accounts"`
}

// MessengerConfig is the Facebook Page Herald delivers through.
type MessengerConfig struct {
	PageToken   string `yaml:"page_token"`
	AppSecret   string `yaml:"app_secret"`
	VerifyToken string `yaml:"verify_token"`
	APIURL      string `yaml:"api_url"`
	APIVersion  string `yaml:"api_version"`
	// BatchSize is how many people one request to Graph carries when a
	// broadcast sends them all the same message (a Graph batch): 1 to 50,
	// 1 sends one request per person; unset (0) is 50.
	BatchSize int `yaml:"batch_size"`
	// Name is what admins call the page above (the default account) when
	// there are several: "main" unless set.
	Name string `yaml:"name"`
	// Accounts are more Facebook Pages Herald delivers through.
	Accounts []MessengerAccount `yaml:"accounts"`
}

// APIConfig is the REST API for integrations.
type APIConfig struct {
	Tokens []APIToken `yaml:"tokens"`
	// ReportTo is the admin chat where broadcasts made through the API
	// show their progress, report and status changes; unset, those are
	// only logged.
	ReportTo *ChatRef `yaml:"report_to"`
}

// ChatRef names one admin chat.
type ChatRef struct {
	// Frontend is telegram or slack.
	Frontend string `yaml:"frontend"`
	// Chat is a Telegram admin group's ID ("-1001234567890") or a Slack
	// channel ID ("C0123ABCD"), optionally with a thread ("C0123ABCD:1700000000.000100").
	Chat string `yaml:"chat"`
}

// APIToken is one bearer token; Name appears in the audit log.
type APIToken struct {
	Name  string `yaml:"name"`
	Token string `yaml:"token"`
}

// FlowsConfig tunes the admin conversations.
type FlowsConfig struct {
	UndoDelay   Duration `yaml:"undo_delay"`
	MinLeadTime Duration `yaml:"min_lead_time"`
	SessionTTL  Duration `yaml:"session_ttl"`
	// ApprovalThreshold: audiences larger than this need a second admin's
	// approval; 0 turns the two-person rule off.
	ApprovalThreshold int   `yaml:"approval_threshold"`
	CSVMaxBytes       int64 `yaml:"csv_max_bytes"`
}

// DispatchConfig holds the send rates and failure policy.
type DispatchConfig struct {
	TelegramPerSecond        float64 `yaml:"telegram_per_second"`
	TelegramPerChatPerSecond float64 `yaml:"telegram_per_chat_per_second"`
	TelegramGroupPerMinute   float64 `yaml:"telegram_group_per_minute"`
	// LINEPerSecond is requests per second to the multicast endpoint (up to
	// 500 recipients each); LINEPushPerSecond to push (personalised messages).
	LINEPerSecond      float64 `yaml:"line_per_second"`
	LINEPushPerSecond  float64 `yaml:"line_push_per_second"`
	MessengerPerSecond float64 `yaml:"messenger_per_second"`
	MaxRetries         int     `yaml:"max_retries"`
	// FailurePauseRatio pauses a run when this share of recipients failed,
	// counted once FailurePauseAfter recipients have an outcome.
	FailurePauseRatio float64 `yaml:"failure_pause_ratio"`
	FailurePauseAfter int     `yaml:"failure_pause_after"`
	// DrainTimeout bounds how long shutdown waits for in-flight sends.
	DrainTimeout Duration `yaml:"drain_timeout"`
	// OnUncertain is what a run resumed after a crash does with the
	// recipients whose send was in flight on a platform without an
	// idempotency key (Telegram, Messenger): resend or skip.
	OnUncertain string `yaml:"on_uncertain"`
}

// ScheduleConfig tunes the scheduler.
type ScheduleConfig struct {
	MissedGrace Duration `yaml:"missed_grace"`
	HeadsUp     Duration `yaml:"heads_up"`
	Retention   Duration `yaml:"retention"`
	// QuietHours, when set, holds recipients of every broadcast that has no
	// quiet hours of its own (a window, or off) until it ends.
	QuietHours *QuietHoursConfig `yaml:"quiet_hours"`
}

// QuietHoursConfig is a daily span of recipients' local time, "22:00"–"08:00".
type QuietHoursConfig struct {
	Start string `yaml:"start"`
	End   string `yaml:"end"`
}

// InboundConfig tunes what end users' messages do.
type InboundConfig struct {
	// UnsubscribeKeywords maps a locale to the words that unsubscribe.
	UnsubscribeKeywords map[string][]string `yaml:"unsubscribe_keywords"`
}

// Default storage paths: the real bot and the demo never share a file.
const (
	defaultStoragePath = "./data/herald.db"
	// defaultMemoryLimitMB fits a million subscribers' index with room for
	// a run (see Config.MemoryLimitMB).
	defaultMemoryLimitMB = 66
	demoStoragePath      = "./data/demo.db"
)

// DefaultConfig is the embedded configuration the bot runs on without a
// file. Platform limits are the platforms' published ones: Telegram about
// 30 messages/s overall, 1/s per chat, 20/min per group; LINE 200 requests/s
// for multicast and 2,000/s for push per channel; Messenger's Send API 300
// calls/s per Page for text.
func DefaultConfig() Config {
	return Config{
		LogLevel:      "info",
		Timezone:      "UTC",
		Locale:        "en",
		MemoryLimitMB: defaultMemoryLimitMB,
		Storage:       StorageConfig{Driver: driverBBolt, Path: defaultStoragePath},
		Cluster:       ClusterConfig{LeaseTTL: Duration(defaultLeaseTTL)},
		HTTP: HTTPConfig{Listen: "127.0.0.1:8080", ShutdownTimeout: Duration(10 * time.Second),
			ReadHeaderTimeout: Duration(10 * time.Second), ReadTimeout: Duration(30 * time.Second),
			WriteTimeout: Duration(60 * time.Second), IdleTimeout: Duration(120 * time.Second)},
		Telegram: TelegramConfig{APIURL: "https://api.telegram.org"},
		Slack:    SlackConfig{APIURL: "https://slack.com/api/"},
		LINE: LINEConfig{
			APIURL:     "https://api.line.me",
			DataAPIURL: "https://api-data.line.me",
		},
		Messenger: MessengerConfig{APIURL: "https://graph.facebook.com", APIVersion: "v26.0"},
		Flows: FlowsConfig{
			UndoDelay:   Duration(60 * time.Second),
			MinLeadTime: Duration(5 * time.Minute),
			SessionTTL:  Duration(24 * time.Hour),
			CSVMaxBytes: 20 << 20,
		},
		Dispatch: DispatchConfig{
			TelegramPerSecond:        30,
			TelegramPerChatPerSecond: 1,
			TelegramGroupPerMinute:   20,
			LINEPerSecond:            200,
			LINEPushPerSecond:        2000,
			MessengerPerSecond:       300,
			MaxRetries:               5,
			FailurePauseRatio:        0.05,
			FailurePauseAfter:        200,
			DrainTimeout:             Duration(30 * time.Second),
			OnUncertain:              "resend",
		},
		Schedule: ScheduleConfig{
			MissedGrace: Duration(15 * time.Minute),
			HeadsUp:     Duration(time.Hour),
			Retention:   Duration(90 * 24 * time.Hour),
		},
		Inbound: InboundConfig{UnsubscribeKeywords: map[string][]string{
			"en":    {"STOP", "UNSUBSCRIBE"},
			"zh-TW": {"退訂", "取消訂閱"},
			"zh-CN": {"退订", "取消订阅"},
			"ja":    {"配信停止", "停止"},
		}},
	}
}

// TelegramEnabled reports whether the default Telegram bot's token is set
// (the admin frontend's bot; see TelegramDelivers for named bots).
func (c *Config) TelegramEnabled() bool { return c.Telegram.Token != "" }

// SlackEnabled reports whether both Slack tokens are set (Socket Mode needs both).
func (c *Config) SlackEnabled() bool { return c.Slack.BotToken != "" && c.Slack.AppToken != "" }

// LINEEnabled reports whether the LINE channel's credentials are set.
func (c *Config) LINEEnabled() bool { return c.LINE.ChannelToken != "" && c.LINE.ChannelSecret != "" }

// MessengerEnabled reports whether the Page token is set.
func (c *Config) MessengerEnabled() bool { return c.Messenger.PageToken != "" }

// Location returns the bot's time zone (Validate has checked it loads).
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Duration is a time.Duration written the Go way in YAML ("90s", "24h").
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// String formats like time.Duration, so check-config prints "1m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// MarshalYAML writes the Go form back.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }
