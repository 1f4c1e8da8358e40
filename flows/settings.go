package flows

import (
	"fmt"
	"time"

	"github.com/heraldbot/herald/locales"
)

// setLang is /lang: the admin's own language, one of locales.Languages.
func (t *turn) setLang(args string) error {
	lang, ok := locales.Match(args)
	if !ok {
		options := t.joinList(locales.Languages)
		if args == "" {
			t.say(t.T("lang.usage", "Current", t.loc.Lang(), "Options", options))
			return nil
		}
		t.refuseSetting(t.T("lang.unknown", "Input", args, "Current", t.loc.Lang(), "Options", options), "/lang", locales.Suggest(args))
		return nil
	}
	t.admin.Locale = lang
	if err := t.e.cfg.Store.SaveAdmin(t.admin); err != nil {
		return fmt.Errorf("flows: save admin: %w", err)
	}
	t.loc = t.e.cfg.Catalog.Localizer(lang)
	t.audit("admin.lang", t.actor, lang)
	t.say(t.T("lang.set"))
	return nil
}

// setTimezone is /tz: the admin's own time zone, an IANA name.
func (t *turn) setTimezone(args string) error {
	if args == "" {
		t.say(t.T("tz.usage", "Current", t.tz.String()))
		return nil
	}
	loc, err := time.LoadLocation(args)
	if err != nil {
		t.refuseSetting(t.T("tz.unknown", "Input", args, "Current", t.tz.String()), "/tz", nearZone(args))
		return nil
	}
	t.admin.Timezone, t.tz = loc.String(), loc
	if err := t.e.cfg.Store.SaveAdmin(t.admin); err != nil {
		return fmt.Errorf("flows: save admin: %w", err)
	}
	t.audit("admin.timezone", t.actor, loc.String())
	t.say(t.T("tz.set", "Zone", loc.String(), "Now", t.when(t.now)))
	return nil
}

// refuseSetting says why /lang or /tz changed nothing (text) and offers
// the near miss, if any, as a one-tap cmd with it.
func (t *turn) refuseSetting(text, cmd, near string) {
	if near == "" {
		t.say(text)
		return
	}
	t.say(text+"\n"+t.T("settings.did_you_mean", "Value", near), t.choice(cmd+" "+near, t.T("btn.use", "Value", near)))
}
