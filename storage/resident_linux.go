package storage

import "syscall"

const canTrimMapping = true

// dropResident is madvise(MADV_DONTNEED) over [addr, addr+n). The address
// stays a uintptr: it is bbolt's mapping, never Go memory. An error (there
// is none for a valid mapping) only means the pages stay resident.
func dropResident(addr, n uintptr) {
	if n == 0 {
		return
	}
	_, _, _ = syscall.Syscall(syscall.SYS_MADVISE, addr, n, syscall.MADV_DONTNEED)
}
