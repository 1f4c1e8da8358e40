package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// parseDuration is the one reading of a duration, for config values and
// command-line flags alike: a Go duration ("90s", "5m", "24h"), zero or
// more. The usual mistakes (a bare number, days) are answered with the
// exact text to write instead, since "2" could mean seconds or minutes.
func parseDuration(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	if _, err := strconv.ParseFloat(v, 64); err == nil {
		if v == "0" {
			return 0, nil
		}
		return 0, fmt.Errorf(`%s has no unit — write "%ss" for seconds (or "%sm", "%sh")`, v, v, v, v)
	}
	if days, ok := strings.CutSuffix(v, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil {
			return 0, fmt.Errorf(`%q: days are not a Go duration unit — write "%dh" (%d days)`, v, n*24, n)
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf(`%q is not a duration — write e.g. "90s", "5m" or "24h"`, v)
	}
	if d < 0 {
		return 0, fmt.Errorf(`%q is negative — durations must be zero or more`, v)
	}
	return d, nil
}

// durationFlag is a flag.Value read by parseDuration, so "-demo-undo 2"
// gets the same answer as "undo_delay: 2" in the config instead of the
// flag package's bare "parse error".
type durationFlag struct{ d *time.Duration }

// newDurationFlag sets *d to def and returns the flag.Value that updates it.
func newDurationFlag(d *time.Duration, def time.Duration) durationFlag {
	*d = def
	return durationFlag{d}
}

func (f durationFlag) String() string {
	if f.d == nil {
		return "0s"
	}
	return f.d.String()
}

func (f durationFlag) Set(s string) error {
	d, err := parseDuration(s)
	if err != nil {
		return err
	}
	*f.d = d
	return nil
}
