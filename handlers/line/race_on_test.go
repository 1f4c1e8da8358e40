//go:build race

package line

const burstFollows = 2_000
