package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDropStartupCodeShrinksTheBinarysResidentPages: after the drop, less
// of this (test) binary is resident (and the test's own code, running on,
// refaults).
func TestDropStartupCodeShrinksTheBinarysResidentPages(t *testing.T) {
	before := exeResidentKB(t)
	dropStartupCode()
	after := exeResidentKB(t)
	if after >= before {
		t.Fatalf("the binary's resident pages went from %d kB to %d kB; want fewer", before, after)
	}
	t.Logf("binary resident: %d kB before, %d kB after", before, after)
}

// exeResidentKB sums Rss over this binary's mappings in /proc/self/smaps.
func exeResidentKB(t *testing.T) int {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Skip("no /proc/self/exe:", err)
	}
	b, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		t.Skip("no /proc/self/smaps:", err)
	}
	total, ours := 0, false
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			ours = len(f) >= 6 && f[5] == exe
		case ours && len(f) >= 2 && f[0] == "Rss:":
			n, _ := strconv.Atoi(f[1])
			total += n
		}
	}
	return total
}
