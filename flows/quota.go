package flows

import (
	"errors"

	"github.com/heraldbot/herald"
)

// LINE's monthly quota in the summary and at confirm. The broadcasts
// service refuses a broadcast over it (the rule lives once, for the API
// too); here the admin sees the numbers before pressing Confirm, and the
// refusal in their language.

// quotaLine is the summary's line on LINE's quota: what this broadcast
// uses of what is left this month. It starts with a line break; it is
// empty without LINE recipients, a quota reader or a monthly limit.
func (t *turn) quotaLine(cnt herald.Count) string {
	// The quota read is the top-level LINE channel's: its recipients only.
	need := cnt.OfAccount(herald.Account{Platform: herald.LINE})
	if t.e.cfg.Quota == nil || need == 0 {
		return ""
	}
	q, err := t.e.cfg.Quota.LINEQuota(t.ctx)
	if err != nil {
		t.e.cfg.Logger.Warn("flows: LINE quota unread", "error", err)
		return "\n" + t.T("summary.quota_unread")
	}
	if !q.Limited {
		return ""
	}
	key := "summary.quota"
	if herald.CheckQuota(q, need) != nil {
		key = "summary.quota_over"
	}
	return "\n" + t.T(key, quotaArgs(need, q)...)
}

// quotaRefusal says a refusal over LINE's quota with its numbers; ok is
// false when err is not one.
func (t *turn) quotaRefusal(err error) (msg string, ok bool) {
	var qe *herald.QuotaError
	if !errors.As(err, &qe) {
		return "", false
	}
	return t.T("err.quota.over", quotaArgs(qe.Need, qe.Quota)...), true
}

func quotaArgs(need int, q herald.Quota) []any {
	return []any{"Need", FormatCount(need), "Left", FormatCount(q.Left()), "Used", FormatCount(q.Used), "Limit", FormatCount(q.Limit)}
}
