// Package locales holds every admin-facing sentence of Herald as message
// catalogs embedded in the binary, one JSON file per language, with flat
// dotted keys, named placeholders ({{.Name}}) and plural forms.
package locales

import (
	"embed"
	"fmt"
	"strings"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.json
var files embed.FS

// Languages are the shipped catalogs, in the order /lang lists them.
var Languages = []string{"en", "zh-TW", "zh-CN", "ja"}

// Catalog is the loaded set of message catalogs.
type Catalog struct {
	bundle *i18n.Bundle
	def    string
}

// New loads the embedded catalogs; defaultLang is used for admins who have
// not chosen a language (it must be one of Languages).
func New(defaultLang string) (*Catalog, error) {
	def, ok := Match(defaultLang)
	if !ok {
		return nil, fmt.Errorf("locales: unknown default language %q (choose one of %s)", defaultLang, strings.Join(Languages, ", "))
	}
	b := i18n.NewBundle(language.English)
	for _, l := range Languages {
		if _, err := b.LoadMessageFileFS(files, l+".json"); err != nil {
			return nil, fmt.Errorf("locales: load %s: %w", l, err)
		}
	}
	return &Catalog{bundle: b, def: def}, nil
}

// Default is the language used when an admin has not chosen one.
func (c *Catalog) Default() string { return c.def }

// Match reads a language as admins type it ("zh-tw", "ZH_TW", "jp") and
// returns the shipped catalog's name.
func Match(s string) (string, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", "-"))
	switch s {
	case "en", "en-us", "en-gb", "english":
		return "en", true
	case "zh-tw", "zh-hant", "zh-hant-tw", "zh-hk", "tw":
		return "zh-TW", true
	case "zh-cn", "zh-hans", "zh-hans-cn", "zh", "cn":
		return "zh-CN", true
	case "ja", "ja-jp", "jp":
		return "ja", true
	}
	return "", false
}

// Localizer returns the sentences of one language (the default when lang
// is empty or unknown).
func (c *Catalog) Localizer(lang string) *Localizer {
	l, ok := Match(lang)
	if !ok {
		l = c.def
	}
	return &Localizer{lang: l, loc: i18n.NewLocalizer(c.bundle, l)}
}

// Localizer renders messages of one language.
type Localizer struct {
	lang string
	loc  *i18n.Localizer
}

// Lang is the localizer's language, one of Languages.
func (l *Localizer) Lang() string { return l.lang }

// T renders key with named values given as pairs: T("k", "Name", "x").
// A missing key renders as the key itself, so a gap is visible rather than
// blank; the completeness test keeps that from shipping.
func (l *Localizer) T(key string, pairs ...any) string {
	return l.render(key, nil, pairs)
}

// N renders a plural message for count n; {{.N}} holds n.
func (l *Localizer) N(key string, n int, pairs ...any) string {
	return l.render(key, n, append(pairs, "N", n))
}

func (l *Localizer) render(key string, count any, pairs []any) string {
	data := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		if k, ok := pairs[i].(string); ok {
			data[k] = pairs[i+1]
		}
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil && s == "" {
		return key
	}
	return s
}
