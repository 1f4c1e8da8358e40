package telegram

import (
	"context"
	"fmt"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/heraldbot/herald/locales"
)

// commandLanguages maps Telegram's two-letter language codes to shipped
// catalogs ("" is the menu for every other language). Telegram cannot tell
// zh-TW from zh-CN users by code: "zh" gets zh-TW, the first listed.
var commandLanguages = []struct{ code, catalog string }{
	{"", ""}, {"en", "en"}, {"ja", "ja"}, {"zh", "zh-TW"},
}

// SetCommands registers the admin command menu with setMyCommands, in
// every shipped language, for each admin group and admin user's private
// chat (end users keep the default menu).
func (a *Admin) SetCommands(ctx context.Context) error {
	var chats []int64
	for id := range a.chats {
		chats = append(chats, id)
	}
	for id := range a.users {
		chats = append(chats, id)
	}
	for _, lang := range commandLanguages {
		cmds := adminCommands(a.opts.Catalog.Localizer(lang.catalog))
		for _, chat := range chats {
			if _, err := a.bot.SetMyCommands(ctx, &bot.SetMyCommandsParams{Commands: cmds,
				Scope: &models.BotCommandScopeChat{ChatID: chat}, LanguageCode: lang.code}); err != nil {
				return fmt.Errorf("telegram: admin: setMyCommands for chat %d (%q): %w", chat, lang.code, err)
			}
		}
	}
	return nil
}

func adminCommands(loc *locales.Localizer) []models.BotCommand {
	return []models.BotCommand{
		{Command: "new", Description: loc.T("tg.cmd_new")},
		{Command: "list", Description: loc.T("tg.cmd_list")},
		{Command: "show", Description: loc.T("tg.cmd_show")},
		{Command: "pause", Description: loc.T("tg.cmd_pause")},
		{Command: "resume", Description: loc.T("tg.cmd_resume")},
		{Command: "cancel", Description: loc.T("tg.cmd_cancel")},
		{Command: "approve", Description: loc.T("tg.cmd_approve")},
		{Command: "reject", Description: loc.T("tg.cmd_reject")},
		{Command: "edit", Description: loc.T("tg.cmd_edit")},
		{Command: "clone", Description: loc.T("tg.cmd_clone")},
		{Command: "errors", Description: loc.T("tg.cmd_errors")},
		{Command: "log", Description: loc.T("tg.cmd_log")},
		{Command: "find", Description: loc.T("tg.cmd_find")},
		{Command: "audience", Description: loc.T("tg.cmd_audience")},
		{Command: "lang", Description: loc.T("tg.cmd_lang")},
		{Command: "tz", Description: loc.T("tg.cmd_tz")},
		{Command: "testme", Description: loc.T("tg.cmd_testme")},
		{Command: "whoami", Description: loc.T("tg.cmd_whoami")},
		{Command: "help", Description: loc.T("tg.cmd_help")},
	}
}
