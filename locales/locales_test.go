package locales

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

var placeholderRe = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

func placeholders(s string) []string {
	var out []string
	for _, m := range placeholderRe.FindAllStringSubmatch(s, -1) {
		out = append(out, m[1])
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func TestEveryLanguageHasTheSameKeysAndPlaceholders(t *testing.T) {
	en, err := catalogMessages("en")
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages[1:] {
		msgs, err := catalogMessages(lang)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range en {
			tr, ok := msgs[k]
			if !ok {
				t.Errorf("%s: missing key %q", lang, k)
				continue
			}
			if got, want := placeholders(tr), placeholders(v); !slices.Equal(got, want) {
				t.Errorf("%s: %q has placeholders %v, English has %v", lang, k, got, want)
			}
		}
		for k := range msgs {
			if _, ok := en[k]; !ok {
				t.Errorf("%s: key %q is not in English", lang, k)
			}
		}
	}
}

// sourceKeys collects string literals shaped like message keys from the
// packages that talk to admins.
func sourceKeys(t *testing.T) map[string]string {
	t.Helper()
	keyShape := regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	out := map[string]string{}
	for _, dir := range []string{"../flows", "../handlers", "../cmd/bot"} {
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && keyShape.MatchString(s) {
						out[s] = path
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// Keys are literals in the sources (flows keeps them that way: no keys
// built by concatenation), so every key must be used and every literal in
// a catalog namespace must exist.
func TestEveryKeyIsUsedAndEveryUsedKeyExists(t *testing.T) {
	en, err := catalogKeys("en")
	if err != nil {
		t.Fatal(err)
	}
	used := sourceKeys(t)
	namespaces := map[string]bool{}
	for _, k := range en {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
		if _, ok := used[k]; !ok {
			t.Errorf("key %q is in the catalogs but no source uses it", k)
		}
	}
	for k, path := range used {
		ns, _, _ := strings.Cut(k, ".")
		if strings.HasPrefix(path, filepath.Join("..", "cmd")) {
			continue // cmd/bot (the demo's console) uses keys, beside config keys such as slack.app_token
		}
		if namespaces[ns] && !slices.Contains(en, k) {
			t.Errorf("%s uses %q, which no catalog has", path, k)
		}
	}
}

func TestLocalizerRendersPluralsAndFallsBack(t *testing.T) {
	c, err := New("en")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang, key string
		n         int
		want      string
	}{
		{"en", "summary.images", 1, "🖼 1 image"},
		{"en", "summary.images", 3, "🖼 3 images"},
		{"ja", "summary.images", 1, "🖼 画像 1 枚"},
		{"zh-tw", "summary.images", 2, "🖼 2 張圖片"},
		{"klingon", "summary.images", 2, "🖼 2 images"},
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.lang).N(tt.key, tt.n); got != tt.want {
			t.Errorf("%s %s(%d) = %q, want %q", tt.lang, tt.key, tt.n, got, tt.want)
		}
	}
	if got := c.Localizer("en").T("no.such.key"); got != "no.such.key" {
		t.Errorf("missing key rendered %q, want the key itself", got)
	}
	if _, err := New("xx"); err == nil {
		t.Error("New(\"xx\") succeeded; want an error naming the languages")
	}
}

// catalogKeys lists the message IDs of one shipped language, sorted; the
// completeness test compares languages and sources with it.
func catalogKeys(lang string) ([]string, error) {
	msgs, err := catalogMessages(lang)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(msgs))
	for k := range msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// catalogMessages returns a language's raw templates by key, every plural
// form joined, so tests can compare placeholders.
func catalogMessages(lang string) (map[string]string, error) {
	buf, err := files.ReadFile(lang + ".json")
	if err != nil {
		return nil, fmt.Errorf("locales: %w", err)
	}
	mf, err := i18n.ParseMessageFileBytes(buf, lang+".json", nil)
	if err != nil {
		return nil, fmt.Errorf("locales: parse %s: %w", lang, err)
	}
	out := make(map[string]string, len(mf.Messages))
	for _, m := range mf.Messages {
		out[m.ID] = strings.Join([]string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other}, "\x00")
	}
	return out, nil
}

// Japanese and Chinese write lists with "、" (list.separator, used by
// flows.JoinList) and their sentence punctuation full-width: "，。：？！（）".
// ASCII punctuation stays only in what admins type (commands, targets,
// examples such as "tag:vip, -tag:churned") and in placeholders. One style
// per language: a half-width ":", ",", "!", "?", ";" or "(" right after a
// Japanese or Chinese character, or after a placeholder (a channel's name,
// a count) inside such a sentence, is a slip.
func TestCJKPunctuationIsFullWidth(t *testing.T) {
	slip := regexp.MustCompile(`(?:[\p{Han}\p{Hiragana}\p{Katakana}ー」）]|\}\})(?:[,;!?(]|:\s|:$)`)
	for _, lang := range []string{"ja", "zh-CN", "zh-TW"} {
		msgs, err := catalogMessages(lang)
		if err != nil {
			t.Fatal(err)
		}
		if sep := strings.Trim(msgs["list.separator"], "\x00"); sep != "、" { // plural forms are joined by NULs
			t.Errorf("%s: list.separator = %q, want 、", lang, sep)
		}
		for key, text := range msgs {
			if m := slip.FindString(text); m != "" {
				t.Errorf("%s %s: half-width punctuation %q in %q", lang, key, m, text)
			}
		}
	}
}
