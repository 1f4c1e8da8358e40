package herald

import (
	"context"
	"fmt"
)

// Quota is a platform's monthly allowance of messages, as LINE counts it:
// every recipient of a push or multicast is one message, whatever the
// number of bubbles. Broadcasts over it are refused before they start
// rather than cut off by 429s halfway through.
type Quota struct {
	Limited bool // false: the plan has no monthly limit
	Limit   int
	Used    int // this month so far
}

// Left is what remains this month (0 when none; meaningless unlimited).
func (q Quota) Left() int { return max(0, q.Limit-q.Used) }

// QuotaReader reads a platform's monthly quota (dispatch/line's Sender).
type QuotaReader interface {
	LINEQuota(ctx context.Context) (Quota, error)
}

// CodeOverQuota is the ValidationError code of a broadcast that needs more
// messages than the platform's monthly quota has left.
const CodeOverQuota = "over_quota"

// QuotaError refuses a broadcast whose LINE recipients (Need, one message
// each per send) exceed what the month has left; it carries the numbers
// so each door can say them. It unwraps to a ValidationError on audience.
type QuotaError struct {
	Need  int
	Quota Quota
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("needs %d LINE messages, %d left this month (%d of %d used)", e.Need, e.Quota.Left(), e.Quota.Used, e.Quota.Limit)
}

// Unwrap is the ValidationError the API reports.
func (e *QuotaError) Unwrap() error { return &ValidationError{Field: "audience", Code: CodeOverQuota} }

// CheckQuota returns a *QuotaError when need messages do not fit in q.
func CheckQuota(q Quota, need int) error {
	if q.Limited && need > q.Left() {
		return &QuotaError{Need: need, Quota: q}
	}
	return nil
}
