package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/handlers/api/apiclient"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/heraldbot/herald/storage/postgres"
)

// The cluster test's audience and limits. The limits are on, at the fakes
// and in the bot alike, but far above the platforms' real ones: at
// Telegram's 30/s the 10,000 Telegram recipients alone would take 333 s.
// What is under test is that the configured limit holds across the
// instances, whatever its value. LINE's multicast rate is set low so that
// its 20 requests of 500 span the kills.
const (
	clusterPerChannel    = 10_000
	clusterTelegramRate  = 1000
	clusterMessengerRate = 1000
	clusterLINERate      = 2
	clusterGroup         = int64(-100_515)
	clusterAPIToken      = "cluster-kill-token-0123456789"
	clusterKills         = 2
)

// The crash bound (dispatch's package doc, "Exactly once, and the crash
// bound"; README "After a crash"): at each kill, at most the jobs in
// flight on each channel without retry keys (Workers each), the jobs
// queued for the committer (Workers) and one commit batch are sent again.
// cmd/bot leaves Workers and CommitBatch at dispatch's defaults.
const (
	dispatchWorkers     = 16
	dispatchCommitBatch = 500
	clusterDupBound     = clusterKills * (2*dispatchWorkers + dispatchWorkers + dispatchCommitBatch)
)

// TestClusterSurvivesKillNineOfTheSender is issue #15's cluster test: the
// built binary runs three times against one PostgreSQL and the platform
// fakes, 30,000 recipients over LINE, Telegram and Messenger with the
// limits on. The broadcast is made through the API on an instance that
// does not send; the instance holding the dispatch lease is killed with
// SIGKILL mid-run, and so is the one that took over (a fresh instance
// replaces each, so three run throughout). At the end every recipient was
// reached, LINE has no duplicate, Telegram and Messenger no more than the
// crash bound, no one-second window at a fake held more than its limit,
// and the admin group holds one progress message and one report.
func TestClusterSurvivesKillNineOfTheSender(t *testing.T) {
	pgtest.Server(t) // skips (fails in CI) before the build when there is no server
	dir, bin := buildBot(t)
	dbURL := pgtest.URL(t)
	began := time.Now()
	fakes, u := platformFakes(t)
	addAdminGroup(fakes.Telegram, clusterGroup)
	// The fakes refuse (429) beyond the limit. They count every request of
	// a token against it, an instance's start-up calls too, so an odd 429
	// is expected and retried by the bot; what is asserted below is what
	// they accepted.
	fakes.Telegram.Faults.SetRateLimit(clusterTelegramRate, time.Second)
	fakes.Messenger.Faults.SetRateLimit(clusterMessengerRate, time.Second)
	fakes.LINE.Faults.SetRateLimit(clusterLINERate, time.Second)
	ids := clusterAudience(t, dbURL, fakes.Messenger)

	c := &clusterRig{t: t, bin: bin, dir: dir, config: clusterConfig(dbURL, u)}
	for range 3 {
		c.start()
	}
	first := c.holder("dispatch")
	var door *clusterInstance // an instance that does not send: the API forwards
	for _, in := range c.live {
		if in != first {
			door = in
		}
	}
	id := clusterBroadcast(t, door)
	t.Logf("%s made through %s; %s sends", id, door.name, first.name)

	rec := fakes.Recorder
	sent := func() int { return rec.Count("telegram") + rec.Count("messenger") }
	total := 2 * clusterPerChannel
	after := 0
	for kill := 1; kill <= clusterKills; kill++ {
		clusterWait(t, fmt.Sprintf("kill %d: a further 15%% of Telegram and Messenger sent", kill), func() bool {
			return sent() >= after+total*15/100
		})
		h := c.holder("dispatch")
		c.kill(h)
		killed := time.Now()
		after = sent()
		if after >= total {
			t.Fatalf("the run was over (%d sent) before kill %d", after, kill)
		}
		if kill == 1 && rec.Count("line") >= clusterPerChannel {
			t.Fatal("LINE was done before the first kill: its lack of duplicates would prove nothing")
		}
		t.Logf("kill %d: SIGKILL to %s after %.1fs; sent: %d on Telegram and Messenger, %d on LINE",
			kill, h.name, time.Since(began).Seconds(), after, rec.Count("line"))
		next := c.holder("dispatch")
		t.Logf("kill %d: %s holds the dispatch lease %.1fs after the kill (lease_ttl 3s)", kill, next.name, time.Since(killed).Seconds())
		c.start() // so three run again
	}

	clusterWait(t, "the report in the admin group", func() bool { return len(adminMessages(fakes.Telegram, "📊 Report: ")) > 0 })
	t.Logf("report after %.1fs", time.Since(began).Seconds())
	checkClusterDeliveries(t, rec, ids, clusterTally(t, dbURL, id))
	if p := adminMessages(fakes.Telegram, "📤 "); len(p) != 1 || !strings.Contains(p[0], "— completed") {
		t.Errorf("progress messages in the admin group, want one saying completed:\n%s", strings.Join(p, "\n---\n"))
	}
	if r := adminMessages(fakes.Telegram, "📊 Report: "); len(r) != 1 {
		t.Errorf("%d reports in the admin group, want 1:\n%s", len(r), strings.Join(r, "\n---\n"))
	}
	t.Logf("wall time %.1fs", time.Since(began).Seconds())
}

// clusterConfig is every instance's config; %s is the instance's name.
func clusterConfig(dbURL string, u platformtest.BaseURLs) string {
	esc := func(s string) string { return strings.ReplaceAll(fmt.Sprintf("%q", s), "%", "%%") }
	return fmt.Sprintf(`storage: {driver: postgres, postgres_url: %s}
http: {listen: "127.0.0.1:0"}
cluster: {instance: "%%s", lease_ttl: 3s}
telegram: {token: "123456:cluster", api_url: %s, admin_chat_ids: [%d]}
line: {channel_secret: s, channel_token: line-token, api_url: %s, data_api_url: %s}
messenger: {page_token: page-token, app_secret: app-secret, verify_token: verify, api_url: %s}
api: {tokens: [{name: crm, token: %s}], report_to: {frontend: telegram, chat: "%d"}}
flows: {undo_delay: 1s}
dispatch: {telegram_per_second: %d, messenger_per_second: %d, line_per_second: %d}
`, esc(dbURL), esc(u.Telegram), clusterGroup, esc(u.LINE), esc(u.LINEData), esc(u.Messenger), clusterAPIToken, clusterGroup,
		clusterTelegramRate, clusterMessengerRate, clusterLINERate)
}

// clusterAudience stores clusterPerChannel subscribers on each platform,
// all inside Messenger's 24-hour window, and returns their IDs by
// platform.
func clusterAudience(t *testing.T, dbURL string, m *platformtest.Messenger) map[herald.Platform][]string {
	t.Helper()
	st, err := postgres.Open(context.Background(), dbURL, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	ids := map[herald.Platform][]string{}
	subs := make([]herald.Subscriber, 0, 3*clusterPerChannel)
	for i := range clusterPerChannel {
		for p, id := range map[herald.Platform]string{herald.Telegram: fmt.Sprint(10_000_000 + i),
			herald.LINE: fmt.Sprintf("U%032x", i), herald.Messenger: fmt.Sprint(90_000_000 + i)} {
			ids[p] = append(ids[p], id)
			subs = append(subs, herald.Subscriber{Platform: p, ID: id, Kind: herald.KindUser, State: herald.Subscribed,
				FirstSeen: now, LastInteraction: now})
		}
		m.Interacted(ids[herald.Messenger][i], now)
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	return ids
}

// clusterBroadcast sends a marketing text to everyone on the three
// platforms now, through in's REST API, and returns its ID.
func clusterBroadcast(t *testing.T, in *clusterInstance) string {
	t.Helper()
	c, err := apiclient.NewClientWithResponses("http://"+in.addr, apiclient.WithRequestEditorFn(
		func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+clusterAPIToken)
			return nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.CreateBroadcastWithResponse(context.Background(), apiclient.BroadcastCreate{Name: "Cluster kill test",
		Status: ptr(apiclient.BroadcastCreateStatusScheduled), Category: ptr(apiclient.BroadcastCreateCategoryMarketing),
		Audience: &apiclient.Audience{Recipients: ptr(apiclient.Users), Channels: []apiclient.AudienceChannels{
			apiclient.AudienceChannelsLine, apiclient.AudienceChannelsTelegram, apiclient.AudienceChannelsMessenger}},
		Content:  &apiclient.Content{Kind: apiclient.Text, Text: ptr("Hello from the cluster")},
		Schedule: &apiclient.Schedule{Kind: apiclient.Now}})
	statusCheck(t)("create the broadcast", err, res, http.StatusCreated)
	return *res.JSON201.Id
}

// clusterTally reads the broadcast's run from the database: one run,
// completed; its tally per platform.
func clusterTally(t *testing.T, dbURL, id string) map[herald.Platform]herald.Tally {
	t.Helper()
	// Shared: the instances still have the database open.
	st, err := postgres.Open(context.Background(), dbURL, postgres.Options{Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, err := st.RunsOf(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].Status != herald.RunCompleted {
		t.Fatalf("runs of %s: %+v; want one, completed", id, runs)
	}
	return runs[0].Tally
}

// checkClusterDeliveries checks what the fakes got against the audience
// (ids) and the run's tally, and logs the figures.
func checkClusterDeliveries(t *testing.T, rec *platformtest.Recorder, ids map[herald.Platform][]string, tally map[herald.Platform]herald.Tally) {
	t.Helper()
	limits := map[herald.Platform]int{herald.Telegram: clusterTelegramRate, herald.LINE: clusterLINERate, herald.Messenger: clusterMessengerRate}
	resent := 0
	for _, p := range []herald.Platform{herald.LINE, herald.Telegram, herald.Messenger} {
		got := map[string]int{}
		for _, d := range rec.Deliveries(string(p)) {
			got[d.Recipient]++
		}
		missed, dups := 0, 0
		for _, id := range ids[p] {
			if got[id] == 0 {
				missed++
			}
			dups += max(0, got[id]-1)
		}
		most, tl := requestsPerSecond(rec, string(p)), tally[p]
		t.Logf("%s: %d of %d reached, %d duplicates (%d counted uncertain), at most %d requests in one second (limit %d), answered 429: %v",
			p, len(ids[p])-missed, len(ids[p]), dups, tl.Uncertain, most, limits[p], rejected(rec, string(p), http.StatusTooManyRequests))
		switch {
		case missed > 0 || tl.Sent != len(ids[p]):
			t.Errorf("%s: %d recipients never reached; the run counts %d sent of %d", p, missed, tl.Sent, len(ids[p]))
		case p == herald.LINE && dups > 0:
			t.Errorf("LINE: %d duplicates, want none (retry keys)", dups)
		case dups > tl.Uncertain:
			t.Errorf("%s: %d duplicates but only %d recipients counted uncertain", p, dups, tl.Uncertain)
		}
		if most > limits[p] {
			t.Errorf("%s: %d requests in one second, over the limit of %d", p, most, limits[p])
		}
		resent += dups
	}
	if resent > clusterDupBound {
		t.Errorf("%d duplicates on Telegram and Messenger over %d kills, more than the crash bound %d", resent, clusterKills, clusterDupBound)
	}
}

// requestsPerSecond is the most requests the fake for platform accepted
// from one token within any one-second window (a LINE multicast is one
// request however many it reaches).
func requestsPerSecond(rec *platformtest.Recorder, platform string) int {
	reqs := platformtest.NewRecorder(nil)
	seen := map[int64]bool{}
	for _, d := range rec.Deliveries(platform) {
		if !seen[d.RequestID] {
			seen[d.RequestID] = true
			reqs.Record(platformtest.Delivery{Platform: platform, Token: d.Token, At: d.At})
		}
	}
	most := 0
	for _, n := range reqs.MaxPerSecond(platform, false) {
		most = max(most, n)
	}
	return most
}

// rejected counts, by method, the requests the fake for platform refused
// with status.
func rejected(rec *platformtest.Recorder, platform string, status int) map[string]int {
	n := map[string]int{}
	for _, x := range rec.Rejected(platform) {
		if x.Status == status {
			n[x.Method]++
		}
	}
	return n
}

// adminMessages are the texts of the bot's messages in the admin group
// that start with prefix.
func adminMessages(tg *platformtest.Telegram, prefix string) []string {
	var out []string
	for _, m := range tg.Sent(clusterGroup) {
		if strings.HasPrefix(m.Text, prefix) {
			out = append(out, m.Text)
		}
	}
	return out
}
