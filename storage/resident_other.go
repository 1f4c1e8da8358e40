//go:build !linux

package storage

// canTrimMapping is false where trimming is not implemented: the pages of
// the mapping then stay resident until the kernel reclaims them.
const canTrimMapping = false

func dropResident(addr, n uintptr) {}
