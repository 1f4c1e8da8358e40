package line

import (
	"context"
	"fmt"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/heraldbot/herald"
)

// LINEQuota reads the channel's monthly message quota and what this month
// has used (GET /v2/bot/message/quota and …/quota/consumption), so a
// broadcast that would run over it is refused before it starts.
func (s *Sender) LINEQuota(ctx context.Context) (herald.Quota, error) {
	api, err := messaging_api.NewMessagingApiAPI(s.cfg.Token,
		messaging_api.WithEndpoint(s.cfg.BaseURL), messaging_api.WithHTTPClient(s.cfg.Client))
	if err != nil {
		return herald.Quota{}, fmt.Errorf("line: quota client: %w", err)
	}
	api = api.WithContext(ctx) // a client of this call only: WithContext is not safe to share
	limit, err := api.GetMessageQuota()
	if err != nil {
		return herald.Quota{}, fmt.Errorf("line: read quota: %w", err)
	}
	used, err := api.GetMessageQuotaConsumption()
	if err != nil {
		return herald.Quota{}, fmt.Errorf("line: read quota consumption: %w", err)
	}
	return herald.Quota{Limited: limit.Type == messaging_api.QuotaType_LIMITED, Limit: int(limit.Value), Used: int(used.TotalUsage)}, nil
}
