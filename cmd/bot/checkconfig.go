package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// checkConfig validates a config and prints what the bot would run with.
// Secrets are never printed: they show as "set".
func checkConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald check-config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "config file (default $HERALD_CONFIG, else embedded defaults)")
	if code, ok := parseFlags(fs, args, stdout); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "herald check-config: unexpected argument %q — use -config FILE\n", fs.Arg(0))
		return exitUsage
	}
	cfg, source, err := resolveConfig(*configPath, false)
	if err != nil {
		printProblems(stderr, source, err)
		return exitFail
	}
	describeConfig(stdout, &cfg, source)
	if cfg.Storage.postgres() {
		return checkPostgres(cfg, stdout, stderr)
	}
	return exitOK
}

// describeConfig prints the settings that matter when deploying: one line
// per channel and frontend with why it is on or off.
func describeConfig(w io.Writer, c *Config, source string) {
	fmt.Fprintf(w, "config %s is valid.\n\n", source)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(cols ...string) { fmt.Fprintln(tw, strings.Join(cols, "\t")) }
	if c.Storage.postgres() {
		row("storage", "postgres "+c.Storage.shown())
	} else {
		row("storage", "bbolt "+filepath.Clean(c.Storage.Path))
	}
	row("http", c.HTTP.Listen)
	row("timezone", c.Timezone)
	row("locale", c.Locale)
	row("log level", c.LogLevel)
	if c.PublicBaseURL != "" {
		row("public URL", c.PublicBaseURL)
	} else {
		row("public URL", "not set (public_base_url): uploaded images cannot be sent to LINE or Messenger")
	}
	row("")
	t := c.Telegram
	if c.TelegramEnabled() {
		mode := "long polling"
		if t.WebhookURL != "" {
			mode = "webhook " + t.WebhookURL + ", secret " + secret(t.WebhookSecret)
		}
		row("telegram", "on", fmt.Sprintf("token set; %d admin chat(s), %d admin user(s); %s; API %s",
			len(t.AdminChatIDs), len(t.AdminUserIDs), mode, t.APIURL))
	} else {
		row("telegram", "off", c.offBecause("telegram", "telegram.token is empty"))
	}
	s := c.Slack
	if c.SlackEnabled() {
		row("slack", "on", fmt.Sprintf("bot and app tokens set (Socket Mode); signing secret %s; %d allowed channel(s), %d allowed user(s), %d allowed user group(s); API %s",
			secret(s.SigningSecret), len(s.AllowedChannels), len(s.AllowedUsers), len(s.AllowedUserGroups), s.APIURL))
	} else {
		row("slack", "off", c.offBecause("slack", "slack.bot_token and slack.app_token are not both set"))
	}
	if c.LINEEnabled() {
		row("line", "on", fmt.Sprintf("channel secret and token set; API %s, data API %s", c.LINE.APIURL, c.LINE.DataAPIURL))
	} else {
		row("line", "off", c.offBecause("line", "line.channel_secret and line.channel_token are not both set"))
	}
	m := c.Messenger
	if c.MessengerEnabled() {
		row("messenger", "on", fmt.Sprintf("page token, app secret and verify token set; %s; API %s/%s", batchWords(m.BatchSize), m.APIURL, m.APIVersion))
	} else {
		row("messenger", "off", c.offBecause("messenger", "messenger.page_token is empty"))
	}
	describeAccounts(row, c)
	describeAdminAccounts(row, c)
	row("console", "demo", "the terminal admin runs with -demo")
	if n := len(c.API.Tokens); n > 0 {
		names := make([]string, n)
		for i, t := range c.API.Tokens {
			names[i] = t.Name
		}
		reports := "API broadcasts are reported only in the log (api.report_to is not set)"
		if rt := c.API.ReportTo; rt != nil {
			reports = "API broadcasts report to " + rt.Frontend + " chat " + rt.Chat
		}
		row("api", "on", fmt.Sprintf("%d token(s): %s; %s", n, strings.Join(names, ", "), reports))
	} else {
		row("api", "off", c.offBecause("api", "api.tokens is empty"))
	}
	where := "http.listen"
	if c.Metrics.Listen != "" {
		where = "metrics.listen " + c.Metrics.Listen + " only"
	}
	if c.Metrics.Token != "" {
		row("metrics", "token", "GET /metrics on "+where+" needs the bearer token of metrics.token")
	} else {
		row("metrics", "open", "GET /metrics is open to whoever reaches "+where+" (metrics.token is empty): keep it off the reverse proxy")
	}
	_ = tw.Flush()
	for _, n := range c.startNotes() {
		fmt.Fprintln(w, "\nnote: "+n)
	}
}

// startNotes are what a valid config still lacks to be of use on day one:
// a way to make broadcasts, and someone to deliver them to.
func (c *Config) startNotes() []string {
	var notes []string
	if !c.TelegramEnabled() && !c.SlackEnabled() && len(c.API.Tokens) == 0 {
		notes = append(notes, "no admin chat is on, so nobody can make a broadcast: set TELEGRAM_TOKEN (and your admin group in telegram.admin_chat_ids) or Slack's SLACK_BOT_TOKEN and SLACK_APP_TOKEN")
	}
	if len(c.deliveryAccounts()) == 0 {
		notes = append(notes, "no delivery channel is on, so a broadcast reaches nobody: set the variables of LINE, Telegram or Messenger")
	}
	return notes
}

// offBecause says why an optional section is off: its variables are unset
// (the whole section was switched off), else the config's own reason.
func (c *Config) offBecause(section, reason string) string {
	vars := c.SectionsOff[section]
	switch len(vars) {
	case 0:
		return reason
	case 1:
		return vars[0] + " is not set"
	}
	return "none of " + strings.Join(vars, ", ") + " is set"
}

// secret shows whether a secret is there without ever showing it.
func secret(s string) string {
	if s == "" {
		return "not set"
	}
	return "set"
}
