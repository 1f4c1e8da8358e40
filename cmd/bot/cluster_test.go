package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/broadcasts"
)

// steal gives the lease to a holder that is no instance, for a second,
// as another instance's takeover would.
func steal(t *testing.T, url, name string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE leases SET holder = 'thief', term = term + 1, expires_at = now() + interval '1 second' WHERE name = $1`, name); err != nil {
		t.Fatal(err)
	}
}

// TestClusterSharesTheSending runs two instances on one database with the
// platform fakes. The first sends; the second is a standby that serves the
// admin side. A pause and a resume made on the standby take effect on the
// first one's run. Then the first loses its lease (another holder takes
// the row): it stops sending at once and stops; the standby takes over
// when the lease expires, finishes the run, and the admin group gets one
// report; every recipient has the message.
func TestClusterSharesTheSending(t *testing.T) {
	const token, group, alice = "123456:cluster-test", int64(-100556), int64(42)
	fakes, cfg := pgGroupRig(t, token, group, alice)
	const recipients = 150
	url := cfg.Storage.PostgresURL
	cfg.Cluster.LeaseTTL = Duration(3 * time.Second) // a short takeover; renewals still roomy on a busy machine
	cfg.Dispatch.TelegramPerSecond = 30              // five seconds of sending: time to act in the middle
	tg := fakes.Telegram
	start := time.Now()
	clock := func() time.Time { return start }

	cfg.Cluster.Instance = "first"
	first := startPGLeader(t, cfg, clock)
	waitUntil(t, "the first instance polls Telegram", func() bool { return len(first.cluster.leases()) == 2 })
	cfg.Cluster.Instance = "second"
	second := startPGApp(t, cfg, clock)
	ids := make([]string, recipients)
	for i := range ids {
		ids[i] = fmt.Sprint(9000 + i)
	}
	subscribe(t, first.store, herald.Telegram, start, []string{"vip"}, ids...)

	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	g := groupChat(t, tg, token, group)
	g.confirmNew(groupUser(alice, "Alice"), `/new "Doors open at ten" to tag:vip on telegram at `+at.Format(herald.LocalLayout))
	id := broadcastIDIn(waitForMessage(t, tg, group, "scheduled").Text)
	first.parts.sched.Tick(context.Background(), at)
	sent := func() int { return fakes.Recorder.Recipients("telegram") }
	waitUntil(t, "the run has begun", func() bool { return sent() >= 10 })

	// A pause on the standby stops the first instance's run.
	alicia := broadcasts.Actor{Key: fmt.Sprintf("telegram:%d", alice)}
	if _, err := second.parts.broadcasts.Pause(context.Background(), id, alicia); err != nil {
		t.Fatalf("pause on the standby: %v", err)
	}
	if err := first.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := first.store.Broadcast(id); b.Status != herald.StatusPaused || sent() >= recipients {
		t.Fatalf("after the pause on the standby: broadcast %s, %d sent; want paused in the middle", b.Status, sent())
	}
	// Resumed on the standby: the first instance sends again.
	if _, err := second.parts.broadcasts.Resume(context.Background(), id, alicia); err != nil {
		t.Fatalf("resume on the standby: %v", err)
	}
	before := sent()
	waitUntil(t, "the first instance sends again", func() bool { return sent() > before+10 })

	// The first instance's lease goes to another holder (as after a long
	// stall): it stops sending and the process would stop.
	stolen := time.Now()
	steal(t, url, leaseDispatch)
	select {
	case <-first.lostLease():
	case <-time.After(time.Minute):
		t.Fatal("the first instance never noticed it lost the lease")
	}
	if err := first.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := first.store.Broadcast(id); b.Status != herald.StatusSending {
		t.Fatalf("after the lease was lost: broadcast %s; want still sending (the run left for the next holder)", b.Status)
	}
	_ = first.shutdown()

	// The standby takes the lease once the thief's expires, and finishes.
	waitUntil(t, "the second instance sends", second.cluster.sends)
	t.Logf("the second instance sends %s after the lease went to a holder that then died (its lease: 1s; lease_ttl %s)",
		time.Since(stolen).Round(10*time.Millisecond), cfg.Cluster.LeaseTTL.D())
	waitForMessage(t, tg, group, "Report: Doors open")
	if err := second.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, r := range ids {
		if got := fakes.Recorder.To("telegram", r); len(got) == 0 {
			t.Fatalf("subscriber %s never got the broadcast", r)
		}
	}
	if reports := countSent(tg, group, "Report: Doors open"); reports != 1 {
		t.Errorf("the admin group got %d reports, want 1", reports)
	}
	if b, _ := second.store.Broadcast(id); b.Status != herald.StatusCompleted {
		t.Errorf("broadcast %s after the takeover: %s; want completed", id, b.Status)
	}
	res, err := http.Get("http://" + second.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), `herald_deliveries_total{account="main",channel="telegram",instance="second",outcome="sent"}`) {
		t.Errorf("/metrics on the second instance does not label its deliveries with instance=\"second\":\n%.2000s", body)
	}
	log, err := second.store.AuditLog(id, 50)
	if err != nil {
		t.Fatal(err)
	}
	var on []string
	for _, e := range log {
		if e.Action == "broadcast.run_sending" || e.Action == "broadcast.run_ended" {
			on = append(on, e.Action+" "+e.Detail)
		}
	}
	if got := strings.Join(on, ", "); !strings.Contains(got, "broadcast.run_sending instance first") ||
		!strings.Contains(got, "broadcast.run_sending instance second") || !strings.Contains(got, "broadcast.run_ended instance second") {
		t.Errorf("/log's run entries: %s; want the run started on first, taken over and ended on second", got)
	}
}

// TestClusterCancelOnAStandby: a cancel made on an instance that does not
// send ends the sending instance's run: nobody else gets the message and
// the admin group gets the report of a canceled run.
func TestClusterCancelOnAStandby(t *testing.T) {
	const token, group, alice = "123456:cluster-cancel", int64(-100558), int64(42)
	fakes, cfg := pgGroupRig(t, token, group, alice)
	cfg.Dispatch.TelegramPerSecond = 20
	tg := fakes.Telegram
	start := time.Now()
	clock := func() time.Time { return start }
	sender := startPGLeader(t, cfg, clock)
	standby := startPGApp(t, cfg, clock)
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = fmt.Sprint(9500 + i)
	}
	subscribe(t, sender.store, herald.Telegram, start, []string{"vip"}, ids...)
	at := start.Add(time.Hour).In(cfg.Location()).Truncate(time.Minute)
	groupChat(t, tg, token, group).confirmNew(groupUser(alice, "Alice"), `/new "Doors shut" to tag:vip on telegram at `+at.Format(herald.LocalLayout))
	id := broadcastIDIn(waitForMessage(t, tg, group, "scheduled").Text)
	sender.parts.sched.Tick(context.Background(), at)
	waitUntil(t, "the run has begun", func() bool { return fakes.Recorder.Recipients("telegram") >= 5 })

	ch, err := standby.parts.broadcasts.Cancel(context.Background(), id, broadcasts.Actor{Key: fmt.Sprintf("telegram:%d", alice)})
	if err != nil || ch.Broadcast.Status != herald.StatusCanceled || ch.From != herald.StatusSending {
		t.Fatalf("cancel on the standby: %s → %s, %v; want sending → canceled", ch.From, ch.Broadcast.Status, err)
	}
	waitForMessage(t, tg, group, "Report: Doors shut")
	if err := sender.parts.dispatch.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	runs, err := sender.store.RunsOf(id)
	if err != nil || len(runs) != 1 || runs[0].Status != herald.RunCanceled {
		t.Fatalf("runs after the cancel: %+v, %v; want one, canceled", runs, err)
	}
	if n := fakes.Recorder.Recipients("telegram"); n >= len(ids) {
		t.Errorf("%d of %d got the message after the cancel; want the rest skipped", n, len(ids))
	}
}

// TestClusterPlansWhatAStandbySchedules: a broadcast scheduled through an
// instance that does not send (the API, a chat it serves) is planned by the
// sending instance's scheduler, which fires it when it is due.
func TestClusterPlansWhatAStandbySchedules(t *testing.T) {
	const token, group, alice = "123456:cluster-plan", int64(-100559), int64(42)
	fakes, cfg := pgGroupRig(t, token, group, alice)
	start := time.Now()
	clock := func() time.Time { return start }
	sender := startPGLeader(t, cfg, clock)
	subscribe(t, sender.store, herald.Telegram, start, nil, "9601", "9602")
	standby := startPGApp(t, cfg, clock) // its audience index is built with them
	at := start.Add(time.Hour).Truncate(time.Minute)
	b, _, err := standby.parts.broadcasts.Submit(context.Background(), herald.Broadcast{Name: "Planned elsewhere", Category: herald.Marketing,
		Content:  herald.Content{Kind: herald.TextContent, Text: "Planned elsewhere"},
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram}, Recipients: herald.Users},
		Schedule: herald.Schedule{Kind: herald.SendAt, At: at}}, "", broadcasts.Actor{Key: fmt.Sprintf("telegram:%d", alice)})
	if err != nil || b.Status != herald.StatusScheduled {
		t.Fatalf("submit on the standby: %s, %v; want scheduled", b.Status, err)
	}
	// The holder hears of it through the database: tick its clock until
	// it has (its sweep would plan it too, in half a minute).
	waitUntil(t, "the sending instance fires the broadcast the standby scheduled", func() bool {
		sender.parts.sched.Tick(context.Background(), at)
		return fakes.Recorder.Recipients("telegram") == 2
	})
	if n := fakes.Recorder.Recipients("telegram"); n != 2 || len(fakes.Recorder.Duplicates("telegram")) > 0 {
		t.Errorf("%d recipients reached (duplicates %v); want both, once", n, fakes.Recorder.Duplicates("telegram"))
	}
}

// TestClusterHandsTelegramPollingOver: the instance that long-polls
// Telegram stops (a rolling restart): it gives the polling lease back,
// the other instance takes it, and the admins' next message is answered,
// once.
func TestClusterHandsTelegramPollingOver(t *testing.T) {
	const token, group, alice = "123456:poll-handover", int64(-100558), int64(42)
	fakes, cfg := pgGroupRig(t, token, group, alice)
	cfg.Cluster.LeaseTTL = Duration(3 * time.Second)
	tg := fakes.Telegram
	start := time.Now()
	clock := func() time.Time { return start }
	cfg.Cluster.Instance = "first"
	first := startPGLeader(t, cfg, clock)
	waitUntil(t, "the first instance polls Telegram", func() bool { return slices.Contains(first.cluster.leases(), leaseTelegramPoll) })
	cfg.Cluster.Instance = "second"
	second := startPGApp(t, cfg, clock)
	g := groupChat(t, tg, token, group)
	g.say(groupUser(alice, "Alice"), "/list")
	waitForMessage(t, tg, group, "No broadcasts here yet.")

	if err := first.shutdown(); err != nil {
		t.Fatalf("the first instance's shutdown: %v", err)
	}
	waitUntil(t, "the second instance polls Telegram", func() bool { return slices.Contains(second.cluster.leases(), leaseTelegramPoll) })
	g.say(groupUser(alice, "Alice"), "/list draft")
	waitForMessage(t, tg, group, "No drafts right now.")
	if answers := countSent(tg, group, "No drafts right now."); answers != 1 {
		t.Errorf("the message after the handover was answered %d times, want once", answers)
	}
}
