package herald

// BroadcastQuery selects broadcasts for listing, newest first. It lives in
// the domain so that flows, schedule and the API can ask for lists without
// importing storage.
type BroadcastQuery struct {
	Statuses []Status // empty: all
	Offset   int
	Limit    int // 0: no limit
	// Steps includes sequences' hidden step broadcasts (resuming runs).
	Steps bool
}

// TagCount is a tag and how many reachable subscribers carry it, as the
// wizard lists them.
type TagCount struct {
	Tag   string
	Count int
}
