package dispatch_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch"
	"github.com/heraldbot/herald/platformtest"
	"github.com/heraldbot/herald/storage"
)

// The crash bound under test (see the package doc): per run, at most the
// in-flight jobs plus one commit batch are sent twice; none on LINE. The
// recipients left in flight are counted uncertain: per channel, at most
// two marked chunks (16×Workers each, at most a commit batch), the outcomes gathered since the last
// commit (a chunk) and the senders' queue.
const (
	crashWorkers     = 4
	crashCommitBatch = 50
	crashPerChannel  = 600
	crashMulticast   = 10 // people per LINE multicast and Messenger batch
)

// TestCrashChild is the dispatcher the crash test kills: this test binary
// run again with HERALD_CRASH_DB set. It resumes the broadcast's run.
func TestCrashChild(t *testing.T) {
	db := os.Getenv("HERALD_CRASH_DB")
	if db == "" {
		t.Skip("only run by TestKillNineLosesNothing")
	}
	st, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng := dispatch.New(st, senders(t, os.Getenv("HERALD_CRASH_URL")), dispatch.Options{
		Workers: crashWorkers, CommitBatch: crashCommitBatch, FailureThreshold: -1,
		OnUncertain: dispatch.Uncertain(os.Getenv("HERALD_CRASH_UNCERTAIN")),
		Limits:      dispatch.Limits{Off: true, MulticastSize: crashMulticast, Headroom: 1}})
	ctx := context.Background()
	if _, err := eng.Start(ctx, os.Getenv("HERALD_CRASH_BROADCAST")); err != nil {
		t.Fatal(err)
	}
	if err := eng.Wait(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestKillNineLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a child process")
	}
	for _, policy := range []dispatch.Uncertain{dispatch.ResendUncertain, dispatch.SkipUncertain} {
		t.Run(string(policy), func(t *testing.T) { killNine(t, policy) })
	}
}

// killNine kills a dispatcher mid-run, resumes the run with the policy on
// uncertain recipients and checks what the recipients got.
func killNine(t *testing.T, policy dispatch.Uncertain) {
	fakes := platformtest.NewServer(nil)
	srv := httptest.NewServer(fakes.Handler())
	defer srv.Close()
	defer fakes.Close()
	for _, f := range []*platformtest.Faults{fakes.Telegram.Faults, fakes.Messenger.Faults} {
		f.SetLatency(10 * time.Millisecond) // long enough to kill mid-run
	}
	fakes.LINE.Faults.SetLatency(100 * time.Millisecond)

	db := filepath.Join(t.TempDir(), "herald.db")
	bid := crashSetup(t, db, fakes)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "HERALD_CRASH_DB="+db, "HERALD_CRASH_URL="+srv.URL, "HERALD_CRASH_BROADCAST="+bid,
			"HERALD_CRASH_UNCERTAIN="+string(policy))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	rec := fakes.Recorder
	first := child()
	eventually(t, "the first process sends a third", func() bool { return rec.Count("") >= crashPerChannel })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	before := rec.Count("")
	if before >= 3*crashPerChannel {
		t.Fatalf("the first process finished (%d) before the kill", before)
	}
	t.Logf("killed after %d deliveries", before)

	second := child()
	if err := second.Wait(); err != nil {
		t.Fatalf("the restarted process: %v", err)
	}
	st, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	runs, _ := st.RunsOf(bid)
	if len(runs) != 1 || runs[0].Status != herald.RunCompleted || runs[0].Tally[herald.LINE].Sent != crashPerChannel {
		t.Fatalf("runs %+v, want one completed run with every LINE recipient sent", runs)
	}
	tally := runs[0].Tally
	dups, uncertain := 0, 0
	for _, p := range []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger} {
		reached := rec.Recipients(string(p))
		n := 0
		for _, k := range rec.Duplicates(string(p)) {
			n += k
		}
		u := tally[p].Uncertain
		t.Logf("%s: %d reached, %d duplicates, %d uncertain", p, reached, n, u)
		switch {
		case p == herald.LINE && (n != 0 || u != 0 || reached != crashPerChannel):
			t.Errorf("LINE: %d reached, %d duplicates, %d uncertain; want all, none, none (retry keys)", reached, n, u)
		case policy == dispatch.SkipUncertain && n != 0:
			t.Errorf("%s: %d duplicates with on_uncertain skip, want 0", p, n)
		case policy == dispatch.SkipUncertain && (reached+u < crashPerChannel || tally[p].Skipped != u):
			t.Errorf("%s: %d reached and %d uncertain (tally %+v): someone was missed without being counted", p, reached, u, tally[p])
		case policy == dispatch.ResendUncertain && reached != crashPerChannel:
			t.Errorf("%s: %d recipients reached, want %d", p, reached, crashPerChannel)
		case n > u:
			t.Errorf("%s: %d duplicates but only %d recipients counted uncertain", p, n, u)
		}
		dups += n
		uncertain += u
	}
	// in flight on two channels (Telegram's jobs of one person, Messenger's
	// batches), Messenger's queued for the committer, one commit batch
	if bound := crashWorkers + 2*crashWorkers*crashMulticast + crashCommitBatch; dups > bound {
		t.Errorf("%d duplicates, more than the bound %d", dups, bound)
	}
	// per channel without retry keys: two marked chunks, the outcomes since
	// the last commit, the senders' queue
	if bound := 2 * (3*min(16*crashWorkers, crashCommitBatch) + 2*crashWorkers); uncertain > bound {
		t.Errorf("%d recipients uncertain, more than the bound %d", uncertain, bound)
	}
}

func crashSetup(t *testing.T, db string, fakes *platformtest.Server) string {
	st, err := storage.Open(db, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	var subs []herald.Subscriber
	for _, p := range []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger} {
		for i := 0; i < crashPerChannel; i++ {
			s := herald.Subscriber{Platform: p, ID: subscriberID(p, i), Kind: herald.KindUser, State: herald.Subscribed, LastInteraction: now}
			if p == herald.Messenger {
				fakes.Messenger.Interacted(s.ID, now)
			}
			subs = append(subs, s)
		}
	}
	if err := st.PutSubscribers(subs); err != nil {
		t.Fatal(err)
	}
	b := herald.Broadcast{Name: "crash", Status: herald.StatusScheduled, Content: hello, Category: herald.Marketing,
		Audience: herald.Audience{Channels: []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}, Recipients: herald.Users}}
	if err := st.CreateBroadcast(&b); err != nil {
		t.Fatal(err)
	}
	return b.ID
}
