//go:build !linux

package main

// dropStartupCode does nothing where there is no /proc/self/maps (see
// resident_linux.go).
func dropStartupCode() {}
