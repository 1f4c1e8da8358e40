package line

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"github.com/heraldbot/herald"
)

// followersPage is the most IDs LINE returns per follower request.
const followersPage = 1000

// Followers reads the account's friend list and profiles for a follower
// sync (roster.Sync): people who added the account before Herald was
// there, whom no webhook ever announced.
type Followers struct {
	api *messaging_api.MessagingApiAPI
}

// NewFollowers builds a Followers on the Messaging API at apiURL; it makes
// no network call.
func NewFollowers(channelToken, apiURL string, hc *http.Client) (*Followers, error) {
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	api, err := messaging_api.NewMessagingApiAPI(channelToken,
		messaging_api.WithEndpoint(strings.TrimSuffix(apiURL, "/")), messaging_api.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("line: messaging API client: %w", err)
	}
	return &Followers{api: api}, nil
}

// FollowerIDs calls page with each page of follower IDs, following LINE's
// continuation tokens. LINE lets only verified and premium accounts list
// followers: for others the error wraps herald.ErrForbidden.
func (f *Followers) FollowerIDs(ctx context.Context, page func(ids []string) error) error {
	start := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, body, err := f.api.GetFollowersWithHttpInfo(start, followersPage)
		if res != nil && res.StatusCode == http.StatusForbidden {
			return fmt.Errorf("line: followers: %w", herald.ErrForbidden)
		}
		if err != nil {
			return fmt.Errorf("line: followers: %w", err)
		}
		if err := page(body.UserIds); err != nil {
			return err
		}
		if body.Next == "" {
			return nil
		}
		start = body.Next
	}
}

// Profile is a follower's display name and language ("" when LINE does not
// say); a user who blocked the account since is herald.ErrNotFound.
func (f *Followers) Profile(_ context.Context, userID string) (name, language string, err error) {
	res, p, err := f.api.GetProfileWithHttpInfo(userID)
	if res != nil && res.StatusCode == http.StatusNotFound {
		return "", "", fmt.Errorf("line: profile %s: %w", userID, herald.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("line: profile %s: %w", userID, err)
	}
	if p == nil {
		return "", "", errors.New("line: profile: empty answer")
	}
	return p.DisplayName, p.Language, nil
}
