package api

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// The JSON shapes of the API. The root package has no struct tags by
// design, so the wire types live here with their conversions. JSON names
// match herald.ValidationError's Field names ("audience.channels",
// "content.buttons.label", "schedule.at").

type subscriberJSON struct {
	Platform        herald.Platform   `json:"platform"`
	Account         string            `json:"account,omitempty"`
	ID              string            `json:"id"`
	Kind            string            `json:"kind"`
	Name            string            `json:"name,omitempty"`
	Locale          string            `json:"locale,omitempty"`
	Timezone        string            `json:"timezone,omitempty"`
	Tags            []string          `json:"tags"`
	Attributes      map[string]string `json:"attributes"`
	State           string            `json:"state"`
	OperatorChat    bool              `json:"operator_chat"`
	Imported        bool              `json:"imported,omitempty"`
	FirstSeen       *time.Time        `json:"first_seen,omitempty"`
	LastInteraction *time.Time        `json:"last_interaction,omitempty"`
}

func toSubscriberJSON(s herald.Subscriber) subscriberJSON {
	out := subscriberJSON{Platform: s.Platform, Account: s.Account, ID: s.ID, Kind: string(s.Kind), Name: s.Name,
		Locale: s.Locale, Timezone: s.Timezone, Tags: s.Tags, Attributes: s.Attributes,
		State: string(s.State), OperatorChat: s.OperatorChat, Imported: s.Imported,
		FirstSeen: timePtr(s.FirstSeen), LastInteraction: timePtr(s.LastInteraction)}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if out.Attributes == nil {
		out.Attributes = map[string]string{}
	}
	if out.State == "" {
		out.State = string(herald.Subscribed)
	}
	return out
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

type audienceJSON struct {
	Channels    []herald.Platform `json:"channels"`
	Recipients  string            `json:"recipients,omitempty"`
	IncludeTags []string          `json:"include_tags,omitempty"`
	TagMatch    string            `json:"tag_match,omitempty"`
	ExcludeTags []string          `json:"exclude_tags,omitempty"`
	Activity    *activityJSON     `json:"activity,omitempty"`
	Attributes  []attrJSON        `json:"attributes,omitempty"`
	// Accounts narrow the channels they are on to these accounts
	// ("line:shop"; "line" is LINE's default account); see
	// herald.Audience.Accounts.
	Accounts         []string        `json:"accounts,omitempty"`
	SelectedPlatform herald.Platform `json:"selected_platform,omitempty"`
	Selected         []string        `json:"selected,omitempty"`
	// Tapped and NotTapped are the retarget terms without their word:
	// "B-7K2Q" (any button) or "B-7K2Q/b1" (a button by ID or label).
	Tapped    []string `json:"tapped,omitempty"`
	NotTapped []string `json:"not_tapped,omitempty"`
	// Sample sends to a random part of the audience (herald.Sample).
	Sample *sampleJSON `json:"sample,omitempty"`
}

// sampleJSON is one of percent, max or holdout_percent, and the draw's
// seed: given, it repeats an earlier draw; left out (0), Herald draws one.
type sampleJSON struct {
	Percent float64 `json:"percent,omitempty"`
	// From moves a percent's band up (an A/B test's variants and rest).
	From           float64 `json:"from,omitempty"`
	Max            int     `json:"max,omitempty"`
	HoldoutPercent float64 `json:"holdout_percent,omitempty"`
	Seed           uint64  `json:"seed,omitempty"`
}

type activityJSON struct {
	Op     string `json:"op"`
	Period string `json:"period"` // "7d", "36h"
}

type attrJSON struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Value string `json:"value,omitempty"`
}

func (a audienceJSON) toDomain() (herald.Audience, error) {
	out := herald.Audience{Channels: a.Channels, Recipients: herald.RecipientKind(a.Recipients),
		IncludeTags: herald.NormalizeTags(a.IncludeTags), TagMatch: herald.TagMatch(a.TagMatch),
		ExcludeTags: herald.NormalizeTags(a.ExcludeTags), SelectedPlatform: a.SelectedPlatform, Selected: a.Selected}
	if out.Recipients == "" {
		out.Recipients = herald.Users
	}
	if len(out.IncludeTags) > 0 && out.TagMatch == "" {
		out.TagMatch = herald.AnyTag
	}
	if a.Activity != nil {
		d, err := parsePeriod(a.Activity.Period)
		if err != nil {
			return out, &herald.ValidationError{Field: "audience.activity.period", Code: herald.CodeInvalid}
		}
		out.Activity = &herald.Activity{Op: herald.ActivityOp(a.Activity.Op), Period: d}
	}
	for _, c := range a.Attributes {
		out.Attributes = append(out.Attributes, herald.AttrCondition{Key: c.Key, Op: herald.AttrOp(c.Op), Value: c.Value})
	}
	if sm := a.Sample; sm != nil {
		out.Sample = &herald.Sample{Percent: sm.Percent, From: sm.From, Max: sm.Max, HoldoutPercent: sm.HoldoutPercent, Seed: sm.Seed}
	}
	for i, list := range [][]string{a.Tapped, a.NotTapped} {
		for _, v := range list {
			r, ok := herald.ParseResponse(v, i == 1)
			if !ok {
				return out, &herald.ValidationError{Field: []string{"audience.tapped", "audience.not_tapped"}[i], Code: herald.CodeInvalid}
			}
			out.Responses = append(out.Responses, r)
		}
	}
	return out, nil
}

func toAudienceJSON(a herald.Audience) audienceJSON {
	out := audienceJSON{Channels: a.Channels, Recipients: string(a.Recipients), IncludeTags: a.IncludeTags,
		TagMatch: string(a.TagMatch), ExcludeTags: a.ExcludeTags, SelectedPlatform: a.SelectedPlatform, Selected: a.Selected}
	for _, acc := range a.Accounts {
		out.Accounts = append(out.Accounts, acc.String())
	}
	if a.Activity != nil {
		out.Activity = &activityJSON{Op: string(a.Activity.Op), Period: formatPeriod(a.Activity.Period)}
	}
	for _, c := range a.Attributes {
		out.Attributes = append(out.Attributes, attrJSON{Key: c.Key, Op: string(c.Op), Value: c.Value})
	}
	if sm := a.Sample; sm != nil {
		out.Sample = &sampleJSON{Percent: sm.Percent, From: sm.From, Max: sm.Max, HoldoutPercent: sm.HoldoutPercent, Seed: sm.Seed}
	}
	for _, r := range a.Responses {
		term := strings.TrimPrefix(strings.TrimPrefix(r.String(), "-"), "tapped:")
		if r.Not {
			out.NotTapped = append(out.NotTapped, term)
		} else {
			out.Tapped = append(out.Tapped, term)
		}
	}
	return out
}

// audience reads a request's audience and checks its retarget terms
// against the stored broadcasts.
func (s *Server) audience(a audienceJSON) (herald.Audience, error) {
	out, err := a.toDomain()
	if err == nil {
		err = s.accounts(&out, a.Accounts)
	}
	if err == nil {
		err = herald.ResolveResponses(&out, s.opts.Store.Broadcast)
	}
	return out, err
}

// parsePeriod reads "7d", "2w" or a Go duration such as "36h".
func parsePeriod(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v <= 0 {
				return 0, fmt.Errorf("api: bad period %q", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("api: bad period %q", s)
	}
	return d, nil
}

func formatPeriod(d time.Duration) string {
	if d > 0 && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

type scheduleJSON struct {
	Kind    string     `json:"kind"`
	At      *time.Time `json:"at,omitempty"`
	Local   string     `json:"local,omitempty"`
	Cron    string     `json:"cron,omitempty"`
	Until   *time.Time `json:"until,omitempty"`
	MaxRuns int        `json:"max_runs,omitempty"`
	Quiet   *quietJSON `json:"quiet,omitempty"`
	Next    *time.Time `json:"next,omitempty"` // read-only
}

// quietJSON is a broadcast's own quiet hours: {"start":"22:00","end":"07:00"},
// or {"off":true} to send at any hour; absent follows the bot's default.
type quietJSON struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
	Off   bool   `json:"off,omitempty"`
}

func (s scheduleJSON) toDomain() herald.Schedule {
	out := herald.Schedule{Kind: herald.ScheduleKind(s.Kind), Local: s.Local, Cron: s.Cron, MaxRuns: s.MaxRuns}
	if s.At != nil {
		out.At = s.At.UTC()
	}
	if s.Until != nil {
		out.Until = s.Until.UTC()
	}
	if s.Quiet != nil {
		out.Quiet = &herald.QuietHours{Start: s.Quiet.Start, End: s.Quiet.End, Off: s.Quiet.Off}
	}
	return out
}

func toScheduleJSON(s herald.Schedule) scheduleJSON {
	out := scheduleJSON{Kind: string(s.Kind), At: timePtr(s.At), Local: s.Local, Cron: s.Cron,
		Until: timePtr(s.Until), MaxRuns: s.MaxRuns, Next: timePtr(s.Next)}
	if s.Quiet != nil {
		out.Quiet = &quietJSON{Start: s.Quiet.Start, End: s.Quiet.End, Off: s.Quiet.Off}
	}
	return out
}

type originJSON struct {
	Frontend string `json:"frontend"`
	ChatID   string `json:"chat_id,omitempty"`
	UserID   string `json:"user_id,omitempty"`
	UserName string `json:"user_name,omitempty"`
}

type broadcastJSON struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	Status           string       `json:"status"`
	External         bool         `json:"external"`
	Origin           originJSON   `json:"origin"`
	Audience         audienceJSON `json:"audience"`
	Content          contentJSON  `json:"content"`
	Category         string       `json:"category,omitempty"`
	Tag              string       `json:"tag,omitempty"`
	Schedule         scheduleJSON `json:"schedule"`
	EndOperatorChats bool         `json:"end_operator_chats"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
	CreatedBy        string       `json:"created_by,omitempty"`
	UpdatedBy        string       `json:"updated_by,omitempty"`
	ApprovedBy       string       `json:"approved_by,omitempty"`
	RunCount         int          `json:"run_count"`
	ABTest           *abTestJSON  `json:"ab_test,omitempty"`
	ABPart           *abPartJSON  `json:"ab_part,omitempty"`
}

func toBroadcastJSON(b herald.Broadcast) broadcastJSON {
	return broadcastJSON{ID: b.ID, Name: b.Name, Status: string(b.Status), External: b.Origin.Frontend == frontend,
		Origin:   originJSON{Frontend: b.Origin.Frontend, ChatID: b.Origin.ChatID, UserID: b.Origin.UserID, UserName: b.Origin.UserName},
		Audience: toAudienceJSON(b.Audience), Content: toContentJSON(b.Content), Category: string(b.Category),
		Tag: string(b.Tag), Schedule: toScheduleJSON(b.Schedule), EndOperatorChats: b.EndOperatorChats,
		CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(), CreatedBy: b.CreatedBy, UpdatedBy: b.UpdatedBy,
		ApprovedBy: b.ApprovedBy, RunCount: b.Runs, ABTest: toABTestJSON(b.Test), ABPart: toABPartJSON(b.ABPart)}
}
