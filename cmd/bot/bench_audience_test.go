package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldbot/herald/storage/pgtest"
)

// TestBenchAudienceSummary runs `bot bench audience` on a small store: it
// must finish (the index and the full scan agree, or it fails) and end with
// the key=value line the issue asks for.
func TestBenchAudienceSummary(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"bench", "audience", "-storage", "bbolt", "-n", "3000", "-runs", "3", "-scans", "1", "-dir", t.TempDir()}, strings.NewReader(""), &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d, stderr: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	want := regexp.MustCompile(`^subscribers=3000 count_ms_median=[0-9.]+ scan_ms_median=[0-9.]+ ratio=[0-9]+ index_build_s=[0-9.]+ index_mb=-?[0-9.]+ store_count_ms_median=[0-9.]+ open_s=[0-9.]+ storage=bbolt$`)
	if !want.MatchString(last) {
		t.Errorf("last line %q does not match %s", last, want)
	}
}

func TestBenchAudienceRejectsBadFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"bench", "audience", "-n", "0"}, strings.NewReader(""), &out, &errOut); code != exitUsage {
		t.Errorf("-n 0: exit %d, want %d", code, exitUsage)
	}
	if !strings.Contains(errOut.String(), "must be positive") {
		t.Errorf("stderr %q does not say what is wrong", errOut.String())
	}
}

// TestBenchAudiencePostgres: on PostgreSQL the summary has bbolt's keys,
// and with both engines a last line compares them.
func TestBenchAudiencePostgres(t *testing.T) {
	t.Setenv(benchPostgresEnv, pgtest.Server(t))
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"bench", "audience", "-n", "3000", "-runs", "3", "-scans", "1", "-dir", t.TempDir()}, strings.NewReader(""), &out, &errOut)
	if code != exitOK {
		t.Fatalf("exit %d, stderr: %s", code, errOut.String())
	}
	pg := regexp.MustCompile(`(?m)^subscribers=3000 count_ms_median=[0-9.]+ scan_ms_median=[0-9.]+ ratio=[0-9]+ index_build_s=[0-9.]+ index_mb=-?[0-9.]+ store_count_ms_median=[0-9.]+ open_s=[0-9.]+ storage=postgres$`)
	if !pg.MatchString(out.String()) {
		t.Errorf("no postgres summary line in:\n%s", out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "pg/bbolt count_ms_median=") {
		t.Errorf("last line %q does not compare the engines", last)
	}
}
