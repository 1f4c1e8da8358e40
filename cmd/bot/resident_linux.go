package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// dropStartupCode drops this binary's read-only pages (its code, and the
// read-only data and function tables the runtime reads) from the process's
// resident set, once start-up is done.
//
// Why: start-up runs every package's initialisation and the config, storage
// and wiring code once, touching some 20 MB of a ~50 MB binary that then
// stay mapped for the life of the process and count in its RSS (about a
// quarter of a million-recipient run's peak), although they are clean page
// cache the kernel holds anyway. Dropping them (madvise MADV_DONTNEED, as
// storage does with bbolt's pages) keeps in RSS only what the bot goes on
// to run, which refaults from the page cache without disk I/O: the same
// the kernel does to these pages on its own under memory pressure. Only
// read-only mappings are touched: dropping a written private page would
// lose what was written, so the writable data segment stays as it is.
func dropStartupCode() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	var start, end uint64 // the mapping read so far; 0, 0 when not ours
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":"):
			// A mapping's header, e.g. "00400000-010d9000 r-xp 00000000
			// fd:01 1234   /path/to/herald": ours when it is the binary's
			// and read-only.
			start, end = 0, 0
			if len(fields) >= 6 && fields[5] == exe && !strings.Contains(fields[1], "w") {
				start, end = parseRange(fields[0])
			}
		case len(fields) >= 2 && fields[0] == "Anonymous:" && end > start:
			// A read-only page with a private copy was written before it
			// became read-only (relocations in a position-independent
			// build): dropping it would lose the write.
			if fields[1] == "0" {
				// An error (there is none for a mapping of our own) only
				// means the pages stay resident.
				_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, uintptr(start), uintptr(end-start), syscall.MADV_DONTNEED)
			}
			start, end = 0, 0
		}
	}
}

// parseRange reads a /proc maps address range, "lo-hi" in hex; 0, 0 when
// it is not one.
func parseRange(s string) (lo, hi uint64) {
	a, b, ok := strings.Cut(s, "-")
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	if !ok || err1 != nil || err2 != nil || hi <= lo {
		return 0, 0
	}
	return lo, hi
}
