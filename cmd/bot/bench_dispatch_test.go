package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/heraldbot/herald/storage/pgtest"
)

// TestBenchDispatchPostgres runs the built `herald bench dispatch` (its
// dispatcher is a child process) on PostgreSQL and on bbolt: both reach
// every recipient and end with a key=value line with the same keys, so the
// tools that read bbolt's line read PostgreSQL's. Nothing is timed.
func TestBenchDispatchPostgres(t *testing.T) {
	server := pgtest.Server(t)
	_, bin := buildBot(t)
	lastKeys := func(storage string) ([]string, map[string]string) {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), bin, "bench", "dispatch", "-storage", storage, "-n", "2000", "-raw", "200ms")
		cmd.Env = append(cmd.Environ(), benchPostgresEnv+"="+server)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("-storage %s: %v\n%s", storage, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		var keys []string
		vals := map[string]string{}
		for _, kv := range strings.Fields(lines[len(lines)-1]) {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				t.Fatalf("-storage %s: last line %q: %q is not key=value", storage, lines[len(lines)-1], kv)
			}
			keys, vals[k] = append(keys, k), v
		}
		return keys, vals
	}
	pgKeys, pg := lastKeys("postgres")
	boltKeys, _ := lastKeys("bbolt")
	if !slices.Equal(pgKeys, boltKeys) {
		t.Errorf("postgres's last line has keys %v, bbolt's %v", pgKeys, boltKeys)
	}
	for k, want := range map[string]string{"recipients": "2000", "lost": "0", "duplicates": "0", "storage": "postgres"} {
		if pg[k] != want {
			t.Errorf("postgres: %s=%s, want %s", k, pg[k], want)
		}
	}
}

// TestBenchStorageNeedsServer: asking for PostgreSQL without
// HERALD_BENCH_POSTGRES says what to set.
func TestBenchStorageNeedsServer(t *testing.T) {
	t.Setenv(benchPostgresEnv, "")
	for _, args := range [][]string{
		{"bench", "dispatch", "-storage", "postgres"},
		{"bench", "audience", "-storage", "both"},
	} {
		var out, errOut strings.Builder
		if code := run(t.Context(), args, strings.NewReader(""), &out, &errOut); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if !strings.Contains(errOut.String(), benchPostgresEnv) {
			t.Errorf("%v: stderr %q does not name %s", args, errOut.String(), benchPostgresEnv)
		}
	}
}
