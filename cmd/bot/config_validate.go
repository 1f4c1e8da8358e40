package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	dmessenger "github.com/heraldbot/herald/dispatch/messenger"
	"github.com/heraldbot/herald/locales"
)

// Validate returns every problem in the config at once (as Problems), each
// naming the key and the fix, or nil when the bot can start with it.
func (c *Config) Validate() error {
	var p Problems
	add := func(key, format string, a ...any) { p = append(p, key+": "+fmt.Sprintf(format, a...)) }

	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("log_level", "%q is not a level — use debug, info, warn or error", c.LogLevel)
	}
	if c.Timezone == "" {
		add("timezone", `must not be empty — use an IANA zone such as "UTC" or "Asia/Taipei"`)
	} else if _, err := time.LoadLocation(c.Timezone); err != nil {
		add("timezone", `%q is not an IANA time zone — use a name such as "UTC", "Asia/Taipei" or "America/New_York"`, c.Timezone)
	}
	if !slices.Contains(locales.Languages, c.Locale) {
		add("locale", "%q is not available — use one of %s", c.Locale, strings.Join(locales.Languages, ", "))
	}
	if c.PublicBaseURL != "" && !isHTTPURL(c.PublicBaseURL, true) {
		add("public_base_url", "%q must be an https:// URL that reaches this server from the internet", c.PublicBaseURL)
	}
	if c.MemoryLimitMB < 0 {
		add("memory_limit_mb", "must be 0 (no limit) or more — e.g. 66, about 52 per million subscribers plus 14")
	}
	c.validateStorage(add)
	c.validateCluster(add)
	if _, _, err := net.SplitHostPort(c.HTTP.Listen); err != nil {
		add("http.listen", `%q is not host:port — e.g. "127.0.0.1:8080", or ":8080" for every interface`, c.HTTP.Listen)
	}
	for _, d := range []struct {
		key string
		v   Duration
	}{{"http.read_header_timeout", c.HTTP.ReadHeaderTimeout}, {"http.read_timeout", c.HTTP.ReadTimeout},
		{"http.write_timeout", c.HTTP.WriteTimeout}, {"http.idle_timeout", c.HTTP.IdleTimeout}} {
		if d.v <= 0 {
			add(d.key, `must be more than 0 — e.g. "30s"; without it a stalled client holds a connection for ever`)
		}
	}

	c.validateTelegram(add)
	c.validateSlack(add)
	c.validateLINE(add)
	c.validateMessenger(add)
	c.validateAccounts(add)
	c.validateAdminAccounts(add)
	c.validateAPI(add)
	c.validateTuning(add)
	if t := c.Metrics.Token; t != "" && len(t) < 20 {
		add("metrics.token", "must be at least 20 characters — e.g. the output of: openssl rand -hex 32")
	}
	if l := c.Metrics.Listen; l != "" {
		if _, _, err := net.SplitHostPort(l); err != nil {
			add("metrics.listen", `%q is not host:port — e.g. "10.0.0.5:9090" (a private address), or empty to serve /metrics on http.listen`, l)
		} else if l == c.HTTP.Listen && !strings.HasSuffix(l, ":0") { // :0 picks a free port each
			add("metrics.listen", "is http.listen (%s): give /metrics another port, or leave metrics.listen empty", l)
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

type addFunc func(key, format string, a ...any)

func (c *Config) validateTelegram(add addFunc) {
	t := c.Telegram
	checkURL(add, "telegram.api_url", t.APIURL)
	if !c.TelegramEnabled() {
		if t.WebhookURL != "" || len(t.AdminChatIDs) > 0 {
			add("telegram.token", `is empty, so the other telegram settings are unused — set token: "${TELEGRAM_TOKEN}" (from @BotFather) or remove the telegram section`)
		}
		return
	}
	if len(t.AdminChatIDs) == 0 {
		add("telegram.admin_chat_ids", `must not be empty when telegram.token is set — add the ID of your admin group (see README "Telegram")`)
	}
	if t.WebhookURL != "" {
		if !isHTTPURL(t.WebhookURL, true) {
			add("telegram.webhook_url", "%q must be an https:// URL (Telegram only calls https webhooks) — or remove it to use long polling", t.WebhookURL)
		}
		if !validTelegramSecret(t.WebhookSecret) {
			add("telegram.webhook_secret", "must be 1–256 characters of A–Z, a–z, 0–9, _ and - when telegram.webhook_url is set — e.g. the output of: openssl rand -hex 32")
		}
	}
}

// validTelegramSecret follows setWebhook's secret_token rules.
func validTelegramSecret(s string) bool {
	if len(s) == 0 || len(s) > 256 {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '-' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func (c *Config) validateSlack(add addFunc) {
	s := c.Slack
	checkURL(add, "slack.api_url", s.APIURL)
	if s.APIURL != "" && !strings.HasSuffix(s.APIURL, "/") {
		add("slack.api_url", "%q must end with / (the Slack client appends method names to it)", s.APIURL)
	}
	switch {
	case s.BotToken == "" && s.AppToken == "":
		return
	case s.BotToken == "":
		add("slack.bot_token", "must be set when slack.app_token is set — the Bot User OAuth Token (xoxb-…) from your Slack app's OAuth page")
	case s.AppToken == "":
		add("slack.app_token", "must be set when slack.bot_token is set — an app-level token (xapp-…) with connections:write, for Socket Mode")
	}
	if len(s.AllowedChannels) == 0 && len(s.AllowedUsers) == 0 && len(s.AllowedUserGroups) == 0 {
		add("slack.allowed_channels", "is empty, and so are slack.allowed_users and slack.allowed_usergroups, so nobody could use Herald in Slack — list channel IDs (C…), user IDs (U…) and/or user group IDs (S…)")
	}
	for _, g := range s.AllowedUserGroups {
		if !strings.HasPrefix(g, "S") {
			add("slack.allowed_usergroups", "%q is not a user group ID — use the S… ID (the group's page → ⋯ → Copy group ID), not its @handle", g)
		}
	}
}

func (c *Config) validateLINE(add addFunc) {
	l := c.LINE
	checkURL(add, "line.api_url", l.APIURL)
	checkURL(add, "line.data_api_url", l.DataAPIURL)
	switch {
	case l.ChannelToken != "" && l.ChannelSecret == "":
		add("line.channel_secret", "must be set when line.channel_token is set — it verifies LINE's webhook signatures (LINE Developers console → Basic settings)")
	case l.ChannelSecret != "" && l.ChannelToken == "":
		add("line.channel_token", "must be set when line.channel_secret is set — the channel access token (LINE Developers console → Messaging API)")
	}
}

func (c *Config) validateMessenger(add addFunc) {
	m := c.Messenger
	checkURL(add, "messenger.api_url", m.APIURL)
	if !strings.HasPrefix(m.APIVersion, "v") || strings.Trim(m.APIVersion[min(1, len(m.APIVersion)):], "0123456789.") != "" {
		add("messenger.api_version", `%q is not a Graph API version — e.g. "v26.0"`, m.APIVersion)
	}
	checkBatchSize(add, "messenger.batch_size", m.BatchSize)
	if !c.MessengerEnabled() {
		return
	}
	if m.AppSecret == "" {
		add("messenger.app_secret", "must be set when messenger.page_token is set — it verifies webhook signatures (Meta app dashboard → App settings → Basic)")
	}
	if m.VerifyToken == "" {
		add("messenger.verify_token", "must be set when messenger.page_token is set — any random string; enter the same one in the app's webhook settings")
	}
}

// checkBatchSize checks a Messenger batch size: 1 to 50 people a request.
func checkBatchSize(add addFunc, key string, n int) {
	if n < 0 || n > dmessenger.MaxBatch {
		add(key, "%d is not a batch size — use 1 to %d people a request (%d, the default, is Graph's most; 1 sends one request per person)", n, dmessenger.MaxBatch, dmessenger.MaxBatch)
	}
}

// batchWords says how a page's broadcasts go out, for check-config.
func batchWords(size int) string {
	switch size {
	case 0:
		size = dmessenger.MaxBatch
	case 1:
		return "one request per person"
	}
	return fmt.Sprintf("broadcasts in batches of %d", size)
}

func (c *Config) validateAPI(add addFunc) {
	seen := map[string]bool{}
	for i, t := range c.API.Tokens {
		key := fmt.Sprintf("api.tokens[%d]", i)
		switch {
		case strings.TrimSpace(t.Name) == "":
			add(key+".name", "must not be empty — it names the integration in the audit log")
		case seen[t.Name]:
			add(key+".name", "%q is used twice — give each token its own name", t.Name)
		}
		seen[t.Name] = true
		if len(t.Token) < 20 {
			add(key+".token", "must be at least 20 characters — e.g. the output of: openssl rand -hex 32")
		}
	}
	if rt := c.API.ReportTo; rt != nil {
		c.validateReportTo(add, rt)
	}
}

// validateReportTo checks that api.report_to is an admin chat Herald
// answers in: a report's buttons pressed anywhere else would be ignored.
func (c *Config) validateReportTo(add addFunc, rt *ChatRef) {
	const key = "api.report_to"
	switch rt.Frontend {
	case "telegram":
		t := c.Telegram
		id, err := strconv.ParseInt(rt.Chat, 10, 64)
		switch {
		case t.Token == "":
			add(key+".frontend", "is telegram but telegram.token is empty — set up Telegram (see README), or report to slack")
		case err != nil:
			add(key+".chat", `%q is not a Telegram chat ID — use your admin group's ID, e.g. "-1001234567890"`, rt.Chat)
		case !slices.Contains(t.AdminChatIDs, id) && !slices.Contains(t.AdminUserIDs, id):
			add(key+".chat", "%d is neither in telegram.admin_chat_ids nor in telegram.admin_user_ids, so Herald would ignore the buttons of its reports there — use an admin group, or add it", id)
		}
	case "slack":
		s := c.Slack
		channel, _, _ := strings.Cut(rt.Chat, ":")
		switch {
		case s.BotToken == "":
			add(key+".frontend", "is slack but slack.bot_token is empty — set up Slack (see README), or report to telegram")
		case strings.TrimSpace(channel) == "":
			add(key+".chat", `must be a Slack channel ID, e.g. "C0123ABCD" (channel details → About, at the bottom)`)
		case len(s.AllowedChannels) > 0 && !slices.Contains(s.AllowedChannels, channel):
			add(key+".chat", "%s is not in slack.allowed_channels, so Herald would refuse the buttons of its reports there — add it, or use an allowed channel", channel)
		}
	default:
		add(key+".frontend", "%q is not an admin chat — use telegram or slack", rt.Frontend)
	}
}

func (c *Config) validateTuning(add addFunc) {
	f, d, s := c.Flows, c.Dispatch, c.Schedule
	if f.SessionTTL <= 0 {
		add("flows.session_ttl", `must be more than 0 — e.g. "24h"`)
	}
	if f.ApprovalThreshold < 0 {
		add("flows.approval_threshold", "must be 0 (off) or a number of recipients")
	}
	if f.CSVMaxBytes <= 0 {
		add("flows.csv_max_bytes", "must be more than 0 — e.g. 20971520 (20 MB)")
	}
	for _, r := range []struct {
		key string
		v   float64
	}{
		{"dispatch.telegram_per_second", d.TelegramPerSecond},
		{"dispatch.telegram_per_chat_per_second", d.TelegramPerChatPerSecond},
		{"dispatch.telegram_group_per_minute", d.TelegramGroupPerMinute},
		{"dispatch.line_per_second", d.LINEPerSecond},
		{"dispatch.line_push_per_second", d.LINEPushPerSecond},
		{"dispatch.messenger_per_second", d.MessengerPerSecond},
	} {
		if r.v <= 0 {
			add(r.key, "must be more than 0 (a rate); the defaults are the platform's published limits")
		}
	}
	if d.MaxRetries < 0 {
		add("dispatch.max_retries", "must be 0 or more")
	}
	if d.FailurePauseRatio < 0 || d.FailurePauseRatio > 1 {
		add("dispatch.failure_pause_ratio", "must be between 0 and 1 — e.g. 0.05 pauses a run at 5%% failures (1 turns the pause off)")
	}
	if d.FailurePauseAfter < 0 {
		add("dispatch.failure_pause_after", "must be 0 or more")
	}
	if dispatch.Uncertain(d.OnUncertain).Validate() != nil {
		add("dispatch.on_uncertain", "is %q — use resend (reach everyone, a few possibly twice after a crash) or skip (never twice, a few possibly missed)", d.OnUncertain)
	}
	if s.Retention > 0 && s.Retention < Duration(24*time.Hour) {
		add("schedule.retention", `%s is under a day — use e.g. "2160h" (90 days), or 0 to keep everything`, s.Retention)
	}
	if q := s.QuietHours; q != nil {
		ok := true
		for _, f := range [][2]string{{"start", q.Start}, {"end", q.End}} {
			if _, err := time.Parse("15:04", f[1]); err != nil {
				add("schedule.quiet_hours."+f[0], `%q is not a time of day — write 24-hour "HH:MM", e.g. "22:00"`, f[1])
				ok = false
			}
		}
		var ve *herald.ValidationError
		if err := (&herald.QuietHours{Start: q.Start, End: q.End}).Validate(); ok && errors.As(err, &ve) && ve.Code == herald.CodeEmptySpan {
			add("schedule.quiet_hours", `start and end are both %q, a window of no time — give two different times, e.g. start "22:00", end "08:00", or remove quiet_hours`, q.Start)
		}
	}
}

func checkURL(add addFunc, key, v string) {
	if !isHTTPURL(v, false) {
		add(key, "%q must be an http(s):// URL — remove the key to use the platform's own", v)
	}
}

// isHTTPURL reports whether s is an absolute http(s) URL with a host
// (https only when httpsOnly).
func isHTTPURL(s string, httpsOnly bool) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "https" || (!httpsOnly && u.Scheme == "http")
}
