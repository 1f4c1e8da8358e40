package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/heraldbot/herald/locales"
)

// Problems is a list of things wrong with a config, one line each, every
// line naming the key (or file:line) and the fix. It is an error so that
// loading and validation can return all problems at once.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "\n") }

// LoadConfig reads a YAML config file on top of DefaultConfig and expands
// ${VAR} in its text values from getenv. It does not validate: call
// Validate for that.
func LoadConfig(path string, getenv func(string) (string, bool)) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	return ParseConfig(path, data, getenv)
}

// ParseConfig is LoadConfig for bytes; name prefixes every problem
// ("config.yaml:12: …").
func ParseConfig(name string, data []byte, getenv func(string) (string, bool)) (Config, error) {
	cfg := DefaultConfig()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(&cfg)
	if errors.Is(err, io.EOF) {
		err = nil // an empty file means all defaults
	}
	if err != nil {
		return Config{}, explainYAMLError(name, data, err)
	}
	// The decoder reads one document; a second one is almost always a
	// stray "---" that would silently be ignored.
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		return Config{}, Problems{fmt.Sprintf("%s:%d: a second YAML document (---) — keep the whole config in one document", name, extra.Line)}
	}
	switchOffUnsetSections(&cfg, getenv)
	if probs := expandEnvFields(reflect.ValueOf(&cfg).Elem(), "", getenv); len(probs) > 0 {
		return Config{}, probs
	}
	cfg.applyAccountDefaults()
	return cfg, nil
}

var (
	reLine     = regexp.MustCompile(`^line (\d+): (.*)$`)
	reNotFound = regexp.MustCompile(`^field (\S+) not found in type`)
	reType     = regexp.MustCompile("^cannot unmarshal (!!\\w+)(?: `(.*)`)? into (.+)$")
)

// explainYAMLError turns the YAML library's messages into one line per
// problem that names the file, the line, the key and the fix.
func explainYAMLError(name string, data []byte, err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		// A syntax error: "yaml: line 3: mapping values are not allowed in this context".
		msg := oneLine(strings.TrimPrefix(err.Error(), "yaml: "))
		if m := reLine.FindStringSubmatch(msg); m != nil {
			if n, _ := strconv.Atoi(m[1]); indentedWithTab(data, n) {
				return Problems{fmt.Sprintf("%s:%d: tabs are not allowed in YAML; indent with spaces", name, n)}
			}
			return Problems{fmt.Sprintf("%s:%s: %s (check the indentation and quoting near that line)", name, m[1], m[2])}
		}
		return Problems{fmt.Sprintf("%s: %s", name, msg)}
	}
	idx := indexYAML(data)
	var probs Problems
	for _, e := range te.Errors {
		e = oneLine(e)
		m := reLine.FindStringSubmatch(e)
		if m == nil {
			probs = append(probs, name+": "+e)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		at := idx[n]
		msg := m[2]
		switch {
		case reNotFound.MatchString(msg):
			probs = append(probs, fmt.Sprintf("%s:%d: %s", name, n, unknownKey(at)))
		case reType.MatchString(msg):
			t := reType.FindStringSubmatch(msg)
			probs = append(probs, fmt.Sprintf("%s:%d: %s: %s", name, n, at.path, wrongType(t[2], t[3])))
		default:
			probs = append(probs, fmt.Sprintf("%s:%d: %s: %s", name, n, at.path, msg))
		}
	}
	return probs
}

// indentedWithTab reports whether line n (from 1) of data has a tab in
// its indentation (list dashes included), which the YAML library reports only as "found character
// that cannot start any token".
func indentedWithTab(data []byte, n int) bool {
	lines := bytes.Split(data, []byte("\n"))
	if n < 1 || n > len(lines) {
		return false
	}
	line := lines[n-1]
	indent := line[:len(line)-len(bytes.TrimLeft(line, " \t-"))] // "- " starts a list item
	return bytes.IndexByte(indent, '\t') >= 0
}

// oneLine keeps a problem on its line: the YAML library quotes a value it
// could not use as it is, line breaks included ("cannot unmarshal !!str
// `0\n00…`"); they are shown escaped.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

func unknownKey(at lineInfo) string {
	msg := fmt.Sprintf("unknown key %q", at.path)
	if s := locales.Nearest(at.key, at.siblings); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else if len(at.siblings) > 0 {
		msg += " (known keys here: " + strings.Join(at.siblings, ", ") + ")"
	}
	return msg
}

func wrongType(value, goType string) string {
	want := "text"
	switch {
	case strings.HasPrefix(goType, "[]"):
		want = `a list, e.g. [a, b] or one "- item" per line`
	case strings.HasPrefix(goType, "map["), strings.HasPrefix(goType, "main."):
		want = "a section of keys (key: value lines indented below it)"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		want = "a whole number"
	case strings.HasPrefix(goType, "float"):
		want = "a number"
	case goType == "bool":
		want = "true or false"
	}
	if value == "" {
		return "must be " + want
	}
	return fmt.Sprintf("%q is not %s", value, want)
}

// lineInfo is what indexYAML knows about the key on one line.
type lineInfo struct {
	path     string   // "telegram.admin_chat_ids"
	key      string   // "admin_chat_ids"
	siblings []string // the keys allowed beside it
}

// indexYAML maps each line of the document to the config key written on
// it, walking the YAML tree alongside the Config type so that messages can
// name the full dotted key and suggest the keys allowed there.
func indexYAML(data []byte) map[int]lineInfo {
	idx := map[int]lineInfo{}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return idx
	}
	var walk func(n *yaml.Node, t reflect.Type, prefix string)
	walk = func(n *yaml.Node, t reflect.Type, prefix string) {
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				walk(c, t, prefix)
			}
		case yaml.MappingNode:
			keys := yamlKeys(t)
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				path := joinKey(prefix, k.Value)
				if _, seen := idx[k.Line]; !seen {
					idx[k.Line] = lineInfo{path: path, key: k.Value, siblings: keys}
				}
				walk(v, fieldType(t, k.Value), path)
			}
		case yaml.SequenceNode:
			var elem reflect.Type
			if t != nil && t.Kind() == reflect.Slice {
				elem = t.Elem()
			}
			for i, c := range n.Content {
				walk(c, elem, fmt.Sprintf("%s[%d]", prefix, i))
			}
		case yaml.ScalarNode:
			if _, seen := idx[n.Line]; !seen {
				idx[n.Line] = lineInfo{path: prefix}
			}
		}
	}
	walk(&root, reflect.TypeFor[Config](), "")
	return idx
}

func joinKey(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// yamlKeys lists the keys a struct type accepts (nil for maps and scalars).
func yamlKeys(t reflect.Type) []string {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for f := range t.Fields() {
		if k := yamlName(f); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// fieldType is the type a key leads to inside t, or nil when unknown.
func fieldType(t reflect.Type, key string) reflect.Type {
	switch {
	case t == nil:
		return nil
	case t.Kind() == reflect.Map:
		return t.Elem()
	case t.Kind() != reflect.Struct:
		return nil
	}
	for f := range t.Fields() {
		if yamlName(f) == key {
			return f.Type
		}
	}
	return nil
}

// UnmarshalYAML reads a Go duration ("90s", "24h") with parseDuration,
// which explains the usual mistakes: a bare number, or days.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	fail := func(msg string) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s", n.Line, msg)}}
	}
	if n.Kind != yaml.ScalarNode {
		return fail(`must be a duration such as "90s", "5m" or "24h"`)
	}
	parsed, err := parseDuration(n.Value)
	if err != nil {
		return fail(err.Error())
	}
	*d = Duration(parsed)
	return nil
}
