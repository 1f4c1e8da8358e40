//go:build !race

package line

const burstFollows = 10_000
