//go:build unix

package storage

import "syscall"

// cpuSeconds is the process's user+system CPU time so far: on a shared,
// loaded machine it says what an operation costs better than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
