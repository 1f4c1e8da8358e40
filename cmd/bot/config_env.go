package main

import (
	"fmt"
	"reflect"
	"strings"
)

// expandEnv replaces ${VAR} in s with the variable's value. ${VAR:-text}
// uses text when VAR is unset or empty; $$ is a literal $; any other $ is
// kept as typed so secrets containing $ survive. An unset ${VAR} is an
// error naming it: a forgotten export must not silently turn a channel off.
//
// Expansion is done on decoded text values only (never on YAML source), so
// a variable's value can never change the structure of the config.
func expandEnv(s string, getenv func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case '$':
			b.WriteByte('$')
			i++
			continue
		case '{':
		default:
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", fmt.Errorf("unclosed ${ — write ${NAME}")
		}
		expr := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(expr, ":-")
		if !validEnvName(name) {
			return "", fmt.Errorf("${%s} is not a valid environment variable name", expr)
		}
		v, ok := getenv(name)
		switch {
		case ok && v != "":
			b.WriteString(v)
		case hasDef:
			b.WriteString(def)
		case !ok:
			return "", fmt.Errorf("environment variable %s is not set — export it, or write ${%s:-} to allow it to be empty", name, name)
		}
		i += end
	}
	return b.String(), nil
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// expandEnvFields applies expandEnv to every text value in v (structs,
// slices, maps and pointers are walked), naming the key in each problem.
func expandEnvFields(v reflect.Value, path string, getenv func(string) (string, bool)) Problems {
	var probs Problems
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			probs = append(probs, expandEnvFields(v.Elem(), path, getenv)...)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if name := yamlName(v.Type().Field(i)); name != "" {
				probs = append(probs, expandEnvFields(v.Field(i), joinKey(path, name), getenv)...)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			probs = append(probs, expandEnvFields(v.Index(i), fmt.Sprintf("%s[%d]", path, i), getenv)...)
		}
	case reflect.Map:
		// Map values are not addressable: expand a copy and store it back.
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			probs = append(probs, expandEnvFields(e, joinKey(path, fmt.Sprint(k.Interface())), getenv)...)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		s, err := expandEnv(v.String(), getenv)
		if err != nil {
			probs = append(probs, path+": "+err.Error())
		} else {
			v.SetString(s)
		}
	}
	return probs
}
