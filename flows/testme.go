package flows

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldbot/herald"
)

// testMe answers /testme:
//
//	/testme                        your test recipients, and a one-time code
//	/testme remove line            forget the LINE one
//	/testme telegram:42 line:U123  set them by raw ID (replaces all;
//	                               line@shop:U123 for a named account)
//
// The code is how an admin who cannot see their own platform ID (LINE
// shows it nowhere) makes their account a test recipient: they send it to
// the bot from that account, and the inbound webhook hands it to
// AnswerDirect.
func (t *turn) testMe(args string) error {
	f := strings.Fields(args)
	switch {
	case len(f) == 0:
		return t.showTestRecipients()
	case strings.EqualFold(f[0], "remove") || strings.EqualFold(f[0], "off"):
		return t.removeTestRecipient(f[1:])
	}
	return t.setTestRecipients(f)
}

// showTestRecipients lists the admin's test recipients on every channel of
// the bot (one per account they sent a code from, named by its account on
// a platform with several) and hands out a fresh code to add one.
func (t *turn) showTestRecipients() error {
	var lines []string
	var cs []Choice
	for _, p := range t.e.cfg.Channels {
		mine := slices.DeleteFunc(slices.Clone(t.admin.TestRecipients), func(k herald.SubscriberKey) bool { return k.Platform != p })
		if len(mine) == 0 {
			lines = append(lines, t.T("testme.line_none", "Channel", PlatformName(p)))
			continue
		}
		for _, k := range mine {
			lines = append(lines, t.T("testme.line", "Channel", t.e.accountLabel(k.AccountOf()), "ID", k.ID))
		}
		cs = append(cs, t.choice("/testme remove "+string(p), t.T("btn.testme_remove", "Channel", PlatformName(p))))
	}
	code := t.e.codes.issue(t.actor, t.now)
	t.say(t.T("testme.list")+"\n"+strings.Join(lines, "\n")+"\n\n"+
		t.T("testme.code", "Code", showTestCode(code), "Minutes", int(testCodeTTL.Minutes())), cs...)
	return nil
}

// removeTestRecipient forgets the test recipient of each named channel.
func (t *turn) removeTestRecipient(words []string) error {
	if len(words) == 0 {
		t.say(t.T("testme.usage"))
		return nil
	}
	var gone []string
	for _, w := range words {
		p, err := herald.ParsePlatform(strings.ToLower(w))
		if err != nil {
			t.say(t.T("testme.usage"))
			return nil
		}
		n := len(t.admin.TestRecipients)
		t.admin.TestRecipients = slices.DeleteFunc(t.admin.TestRecipients, func(k herald.SubscriberKey) bool { return k.Platform == p })
		if len(t.admin.TestRecipients) < n {
			gone = append(gone, PlatformName(p))
		}
	}
	if len(gone) == 0 {
		t.say(t.T("testme.nothing_removed"), t.choice("/testme", t.T("btn.testme")))
		return nil
	}
	if err := t.e.cfg.Store.SaveAdmin(t.admin); err != nil {
		return fmt.Errorf("flows: save admin: %w", err)
	}
	t.audit("admin.test_recipients", t.actor, "remove "+strings.Join(words, " "))
	t.say(t.T("testme.removed", "Channels", t.joinList(gone)), t.choice("/testme", t.T("btn.testme")))
	return nil
}

// setTestRecipients stores where "Send test to me" delivers, by raw ID:
// "/testme telegram:42 line:U123", for those who know their IDs.
func (t *turn) setTestRecipients(fields []string) error {
	var keys []herald.SubscriberKey
	for _, f := range fields {
		k, err := herald.ParseSubscriberKey(f)
		if err != nil {
			t.say(t.T("testme.usage"))
			return nil
		}
		if _, nerr := strconv.ParseInt(k.ID, 10, 64); k.Platform.HasNumericIDs() && nerr != nil {
			t.say(t.T("testme.not_number", "ID", k.ID, "Channel", PlatformName(k.Platform)))
			return nil
		}
		if k.Account != "" {
			if _, ok := t.e.resolveAccount(k.Platform, k.Account); !ok {
				t.say(t.T("err.account_unknown", "Name", string(k.Platform)+":"+k.Account, "Options", t.joinList(t.e.accountNames(k.Platform))))
				return nil
			}
		}
		keys = append(keys, k)
	}
	t.admin.TestRecipients = keys
	if err := t.e.cfg.Store.SaveAdmin(t.admin); err != nil {
		return fmt.Errorf("flows: save admin: %w", err)
	}
	t.audit("admin.test_recipients", t.actor, strings.Join(fields, " "))
	t.say(t.N("testme.set", len(keys)))
	return nil
}

// whoAmI tells an admin how Herald knows them and this chat: the IDs that
// go in the config's allow-lists.
func (t *turn) whoAmI() {
	text := t.T("whoami.admin", "Frontend", t.in.Frontend, "User", t.in.UserID, "Chat", t.in.ChatID, "Key", t.actor)
	if line := t.yourAccountsLine(); line != "" {
		text += "\n" + line
	}
	t.say(text)
}

// AnswerDirect answers what an end user wrote to the bot in a private chat
// when it is meant for Herald itself rather than for the team: a /testme
// code (the writer's account becomes that admin's test recipient on its
// platform) or /whoami (their own ID there). The inbound webhooks ask it
// before keyword handling; ok is false for every other text. locale is
// what the platform says of the writer's language, if anything.
func (e *Engine) AnswerDirect(ctx context.Context, from herald.SubscriberKey, locale, text string) (reply string, ok bool, err error) {
	if strings.EqualFold(strings.TrimSpace(text), "/whoami") {
		loc := e.cfg.Catalog.Localizer(locale)
		return loc.T("whoami.user", "Channel", e.accountLabel(from.AccountOf()), "ID", from.ID, "Key", from.String()), true, nil
	}
	now := e.cfg.Now()
	adminKey, fresh, ok := e.codes.claim(text, from, now)
	if !ok {
		return "", false, nil
	}
	admin, err := e.cfg.Store.Admin(adminKey)
	switch {
	case errors.Is(err, herald.ErrNotFound):
		admin = herald.Admin{Key: adminKey}
	case err != nil:
		e.codes.release(adminKey)
		return "", true, fmt.Errorf("flows: load admin %s: %w", adminKey, err)
	}
	if fresh {
		// One test recipient per account: an admin who follows LINE · Main
		// and LINE · Shop gets each test from the channel it goes out on.
		admin.TestRecipients = slices.DeleteFunc(admin.TestRecipients, func(k herald.SubscriberKey) bool { return k.AccountOf() == from.AccountOf() })
		admin.TestRecipients = append(admin.TestRecipients, from)
		if err := e.cfg.Store.SaveAdmin(admin); err != nil {
			e.codes.release(adminKey)
			return "", true, fmt.Errorf("flows: save admin %s: %w", adminKey, err)
		}
		if err := e.cfg.Store.Audit(herald.AuditEntry{At: now, Actor: adminKey, Action: "admin.test_recipients",
			Target: adminKey, Detail: "code from " + from.String()}); err != nil {
			e.cfg.Logger.Error("flows: audit test recipient", "admin", adminKey, "error", err)
		}
		e.cfg.Logger.Info("flows: test recipient added by code", "admin", adminKey, "subscriber", from.String())
	}
	loc := e.cfg.Catalog.Localizer(admin.Locale)
	return loc.T("testme.claimed", "Channel", e.accountLabel(from.AccountOf()), "ID", from.ID), true, nil
}
