package main

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParseConfig feeds arbitrary files to the config loader: it never
// panics, and what it says is either a config that Validate can judge or
// problems, each a line that names the file (or a key).
func FuzzParseConfig(f *testing.F) {
	example, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		string(example), "", "---\n---\n", "http:\n  listen: ${ADDR:-127.0.0.1:0}\n  read_timeout: 1s\n",
		"storage: [1, 2]\n", "timezone: &a UTC\nlocale: *a\n", "dispatch:\n  drain_timeout: 90\n",
		"api:\n  tokens:\n    - {name: crm, token: $${X}}\n", "log_level: ${UNSET}\n", "\tstorage:\n",
	} {
		f.Add([]byte(seed))
	}
	getenv := func(k string) (string, bool) {
		if k == "UNSET" {
			return "", false
		}
		return "dummy-" + k + "-0123456789", true
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseConfig("fuzz.yaml", data, getenv)
		if err == nil {
			_ = cfg.Validate()
			return
		}
		var probs Problems
		if !errors.As(err, &probs) {
			t.Fatalf("not Problems: %T %v", err, err)
		}
		if len(probs) == 0 {
			t.Fatal("an error without problems")
		}
		for _, p := range probs {
			if strings.TrimSpace(p) == "" || strings.Contains(p, "\n") {
				t.Fatalf("problem %q is not one line", p)
			}
		}
	})
}
