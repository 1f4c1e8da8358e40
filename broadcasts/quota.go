package broadcasts

import (
	"context"

	"github.com/heraldbot/herald"
)

// checkQuota refuses a broadcast whose LINE recipients do not fit in what
// LINE's monthly quota has left (a *herald.QuotaError with the numbers).
// A quota that cannot be read does not stop a broadcast: LINE itself
// still answers 429 past the limit, and the report says so.
func (s *Service) checkQuota(ctx context.Context, cnt herald.Count) error {
	// The quota read is the top-level LINE channel's: its recipients only.
	need := cnt.OfAccount(herald.Account{Platform: herald.LINE})
	if s.opts.Quota == nil || need == 0 {
		return nil
	}
	q, err := s.opts.Quota.LINEQuota(ctx)
	if err != nil {
		s.opts.Logger.Warn("broadcasts: LINE quota unread, not checked", "error", err)
		return nil
	}
	return herald.CheckQuota(q, need)
}
