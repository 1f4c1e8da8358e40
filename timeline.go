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

// ResponseTimeline is when people first answered a broadcast, in equal
// bins from Start: per bin, how many subscribers tapped one of its action
// buttons for the first time (Taps) and how many first opened one of its
// tracked links (Clicks). Each person counts once per kind, in the bin of
// their first response, so the running sum is how many people had
// responded by then: the report's chart draws it over a run's first 24 h.
type ResponseTimeline struct {
	Start  time.Time
	Bin    time.Duration
	Taps   []int
	Clicks []int
}
