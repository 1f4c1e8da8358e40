package herald

import "time"

// MinuteCount is how many of a run's recipients on one platform got their
// final outcome, sent or failed, within one minute. A run keeps these as it
// records outcomes, so its report can chart deliveries over time without
// reading every delivery record again.
type MinuteCount struct {
	Minute   time.Time // the start of the minute, UTC
	Platform Platform
	Sent     int
	Failed   int
}
