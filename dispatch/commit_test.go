package dispatch_test

import (
	"sync"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/storage"
)

// busyDisk is the real store on a disk so busy that every group commit
// takes 20 ms, watching how many messages the fake delivered whose
// outcome was not yet recorded: after a kill -9 they are the ones sent
// again.
type busyDisk struct {
	*storage.Store
	delivered func() int
	mu        sync.Mutex
	recorded  int // outcomes committed
	worst     int // the most delivered and not recorded seen at a commit
	commits   int
}

func (d *busyDisk) CommitDeliveries(runID string, started []uint32, ds []herald.Delivery) error {
	d.watch()
	time.Sleep(20 * time.Millisecond) // the disk, not an assertion
	err := d.Store.CommitDeliveries(runID, started, ds)
	d.watch() // these are not recorded until the commit returns
	d.mu.Lock()
	defer d.mu.Unlock()
	d.commits++
	for _, x := range ds {
		if x.Outcome != herald.Pending {
			d.recorded++
		}
	}
	return err
}

func (d *busyDisk) watch() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.worst = max(d.worst, d.delivered()-d.recorded)
}

// The committer writes a commit while the next one gathers, yet the
// messages a kill -9 would send again stay within the documented bound:
// the senders' jobs in flight, those queued for the committer and one
// commit batch, however slow the disk. Everyone is reached once. Messenger
// sends in Graph batches of perJob people, a job each.
func TestBusyDiskKeepsTheCrashBound(t *testing.T) {
	const workers, batch, n, perJob = 4, 50, 400, 5
	e := newEnv(t, nil)
	e.subscribe(herald.Messenger, n, nil)
	disk := &busyDisk{Store: e.st, delivered: func() int { return e.fakes.Recorder.Count("messenger") }}
	opts := e.opts
	opts.Workers, opts.CommitBatch, opts.Limits.MulticastSize = workers, batch, perJob
	eng := dispatchtest.Engine(t, disk, senders(t, e.url), opts)
	bid := e.broadcast(hello, herald.Messenger)
	e.runOn(eng, bid)

	run := e.lastRun(bid)
	if run.Status != herald.RunCompleted || run.Tally[herald.Messenger].Sent != n {
		t.Fatalf("run %s, tally %+v: want completed with all %d sent", run.Status, run.Tally, n)
	}
	if got, dups := e.fakes.Recorder.Recipients("messenger"), len(e.fakes.Recorder.Duplicates("messenger")); got != n || dups != 0 {
		t.Errorf("%d people reached, %d twice: want %d, none", got, dups, n)
	}
	if bound := 2*workers*perJob + batch; disk.worst > bound {
		t.Errorf("%d messages delivered and not recorded at once, more than the crash bound %d", disk.worst, bound)
	}
	if disk.commits > n/batch*3 {
		t.Errorf("%d commits for %d recipients in batches of %d: the outcomes were not grouped", disk.commits, n, batch)
	}
	t.Logf("%d commits; at worst %d delivered and not recorded", disk.commits, disk.worst)
}
