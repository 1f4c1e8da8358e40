package platformtest

import (
	"net/http"
	"strconv"
	"strings"
)

// lineFollowers is what GET /v2/bot/followers/ids lists: the users who
// added the account as a friend, in the order they did.
type lineFollowers struct {
	ids []string
	// byToken are the friend lists of channels that have their own
	// (AddChannelFollowers), by channel access token; any other token
	// reads ids.
	byToken map[string][]string
	// denied: the account is neither verified nor premium, so LINE refuses
	// the endpoint with 403.
	denied bool
}

// The 403 LINE answers an unverified account's follower request with.
const lineFollowersDenied = "Access to this API is not available for your account"

// AddFollowers appends users to the account's friend list served by GET
// /v2/bot/followers/ids (users marked blocked in Faults are left out, as
// LINE leaves out those who blocked the account).
func (l *LINE) AddFollowers(userIDs ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.followers.ids = append(l.followers.ids, userIDs...)
}

// AddChannelFollowers appends users to the friend list of the channel
// whose access token is token, so that one fake serves several LINE
// channels (Herald's named accounts), each listing its own friends.
func (l *LINE) AddChannelFollowers(token string, userIDs ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.followers.byToken == nil {
		l.followers.byToken = map[string][]string{}
	}
	l.followers.byToken[token] = append(l.followers.byToken[token], userIDs...)
}

// DenyFollowers makes the account an unverified one: the follower list
// answers 403, as LINE does for accounts that are not verified or premium.
func (l *LINE) DenyFollowers() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.followers.denied = true
}

// followerIDs serves GET /v2/bot/followers/ids: limit 1–1000 (default
// 300), start the continuation token of a previous page's "next", which is
// present only while user IDs remain.
func (l *LINE) followerIDs(w http.ResponseWriter, r *http.Request, c lineCall) {
	q := r.URL.Query()
	limit := 300
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			l.failDetails(w, c.requestID, []lineDetail{{Message: "must be between 1 and 1000", Property: "limit"}})
			return
		}
		limit = n
	}
	from := 0
	if v := q.Get("start"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "jxEWCEEP"))
		if !strings.HasPrefix(v, "jxEWCEEP") || err != nil || n < 0 {
			l.failDetails(w, c.requestID, []lineDetail{{Message: "invalid continuation token", Property: "start"}})
			return
		}
		from = n
	}
	l.mu.Lock()
	denied := l.followers.denied
	var ids []string
	all, own := l.followers.byToken[c.token]
	if !own {
		all = l.followers.ids
	}
	for _, id := range all {
		if !l.Faults.Blocked(id) {
			ids = append(ids, id)
		}
	}
	l.mu.Unlock()
	if denied {
		l.fail(w, c.requestID, http.StatusForbidden, lineFollowersDenied)
		return
	}
	page := struct {
		UserIDs []string `json:"userIds"`
		Next    string   `json:"next,omitempty"`
	}{UserIDs: []string{}}
	if from < len(ids) {
		end := min(from+limit, len(ids))
		page.UserIDs = ids[from:end]
		if end < len(ids) {
			page.Next = "jxEWCEEP" + strconv.Itoa(end)
		}
	}
	l.answer(w, c.requestID, http.StatusOK, page)
}
