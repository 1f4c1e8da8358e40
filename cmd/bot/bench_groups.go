package main

// `herald bench dispatch -groups N` (or -album): Telegram groups besides the users.
// A group may get 20 messages a minute, a private chat one a second; the
// content is an album with a button, two requests per recipient, so each
// group must wait its gap between them. The figures say whether the groups
// held the users back: users/s, and the messages per minute each group got.

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// benchAlbum is the content of a run with groups: two requests each.
var benchAlbum = herald.Content{Kind: herald.ImageContent, Text: "Herald benchmark: hello!",
	Images:  []herald.Image{{URL: "https://img.example/1.jpg"}, {URL: "https://img.example/2.jpg"}},
	Buttons: []herald.Button{{ID: "b1", Kind: herald.URLButton, Label: "Open", URL: "https://example.com"}}}

// benchGroups stores n Telegram groups (chat IDs -1000000 and down).
func benchGroups(st storage.Backend, n int, now time.Time) error {
	if n == 0 {
		return nil
	}
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = herald.Subscriber{Platform: herald.Telegram, ID: strconv.Itoa(-1_000_000 - i), Kind: herald.KindGroup,
			Name: "Group " + strconv.Itoa(i), State: herald.Subscribed, LastInteraction: now}
	}
	return st.PutSubscribers(subs)
}

// benchGroupRates writes the users' and the groups' rates to w and
// returns them as key=value pairs for the last line.
func benchGroupRates(w io.Writer, rec *platformtest.Recorder, groups int) string {
	var first, userLast, groupLast time.Time
	users := map[string]bool{}
	perGroup := map[string][]time.Time{}
	for _, d := range rec.Deliveries("telegram") {
		if first.IsZero() || d.At.Before(first) {
			first = d.At
		}
		if strings.HasPrefix(d.Recipient, "-") {
			perGroup[d.Recipient] = append(perGroup[d.Recipient], d.At)
			groupLast = maxTime(groupLast, d.At)
			continue
		}
		users[d.Recipient] = true
		userLast = maxTime(userLast, d.At)
	}
	mostPerMin, minGap := 0.0, time.Duration(-1)
	for _, ts := range perGroup {
		if len(ts) < 2 {
			continue
		}
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		mostPerMin = max(mostPerMin, float64(len(ts)-1)/ts[len(ts)-1].Sub(ts[0]).Minutes())
		for i := 1; i < len(ts); i++ {
			if g := ts[i].Sub(ts[i-1]); minGap < 0 || g < minGap {
				minGap = g
			}
		}
	}
	usersDone, groupsDone := userLast.Sub(first).Seconds(), 0.0
	if len(perGroup) > 0 { // -album alone has none
		groupsDone = groupLast.Sub(first).Seconds()
	}
	usersPerS, groupsPerS := 0.0, 0.0
	if usersDone > 0 {
		usersPerS = float64(len(users)) / usersDone
	}
	if groupsDone > 0 {
		groupsPerS = float64(len(perGroup)) / groupsDone
	}
	refused := len(rec.Rejected("telegram"))
	fmt.Fprintf(w, "telegram groups: %d reached of %d (%.0f/s), at most %.1f messages/min per group (Telegram allows 20), closest two %.2fs apart, last at %.1fs; users: %.0f/s, last at %.1fs; %d answered 429\n",
		len(perGroup), groups, groupsPerS, mostPerMin, minGap.Seconds(), groupsDone, usersPerS, usersDone, refused)
	return fmt.Sprintf(" groups=%d users_per_s=%.0f users_done_s=%.1f groups_done_s=%.1f group_msgs_per_min_max=%.1f group_min_gap_s=%.2f telegram_429=%d groups_per_s=%.0f",
		groups, usersPerS, usersDone, groupsDone, mostPerMin, minGap.Seconds(), refused, groupsPerS)
}
