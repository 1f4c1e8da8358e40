package main

import (
	"reflect"
	"slices"
	"strings"
)

// optionalSections are the config sections that are off when their
// credentials are missing: the platforms and the REST API. One
// config.example.yaml then serves an operator who uses only some of them.
var optionalSections = []string{"telegram", "slack", "line", "messenger", "api"}

// switchOffUnsetSections turns off, as a whole, each optional section none
// of whose required variables (${VAR} without a :- default) is set to a
// non-empty value: the section falls back to its defaults (off) and is
// recorded in cfg.SectionsOff, instead of one "not set" error per variable.
// A section with some of its variables set keeps them all required, so a
// forgotten export still names itself.
func switchOffUnsetSections(cfg *Config, getenv func(string) (string, bool)) {
	v := reflect.ValueOf(cfg).Elem()
	def := reflect.ValueOf(DefaultConfig())
	for i := range v.NumField() {
		name := yamlName(v.Type().Field(i))
		if !slices.Contains(optionalSections, name) {
			continue
		}
		vars := requiredEnvVars(v.Field(i), nil)
		if len(vars) == 0 || anySet(vars, getenv) {
			continue
		}
		v.Field(i).Set(def.Field(i))
		if cfg.SectionsOff == nil {
			cfg.SectionsOff = map[string][]string{}
		}
		cfg.SectionsOff[name] = vars
	}
}

func anySet(vars []string, getenv func(string) (string, bool)) bool {
	for _, name := range vars {
		if v, ok := getenv(name); ok && v != "" {
			return true
		}
	}
	return false
}

// requiredEnvVars appends the names of the ${VAR}s without a default in
// every text value under v, each once, in the order they are written.
func requiredEnvVars(v reflect.Value, names []string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			names = requiredEnvVars(v.Elem(), names)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if yamlName(v.Type().Field(i)) != "" {
				names = requiredEnvVars(v.Field(i), names)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			names = requiredEnvVars(v.Index(i), names)
		}
	case reflect.String:
		for _, name := range envRefsWithoutDefault(v.String()) {
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// envRefsWithoutDefault lists the ${NAME}s in s that expandEnv requires
// (not ${NAME:-…}, not $${…}).
func envRefsWithoutDefault(s string) []string {
	var names []string
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] != '$':
			continue
		case s[i+1] == '$':
			i++
			continue
		case s[i+1] != '{':
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			break
		}
		if name, _, hasDef := strings.Cut(s[i+2:i+end], ":-"); !hasDef && validEnvName(name) {
			names = append(names, name)
		}
		i += end
	}
	return names
}
