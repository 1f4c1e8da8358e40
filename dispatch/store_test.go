package dispatch_test

import (
	"sync"
	"testing"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/dispatch/dispatchtest"
	"github.com/heraldbot/herald/storage"
)

// readCounter is the real store, counting the pending records each
// channel's pager reads.
type readCounter struct {
	*storage.Store
	mu sync.Mutex
	// reads counts, per platform asked for, the times each Seq was read.
	reads map[herald.Platform]map[uint32]int
	// foreign counts records read for a platform they are not on; wide
	// counts reads of pending records across platforms.
	foreign, wide int
}

func (c *readCounter) PendingDeliveries(runID string, p herald.Platform, after uint32, limit int) ([]herald.Delivery, error) {
	ds, err := c.Store.PendingDeliveries(runID, p, after, limit)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reads[p] == nil {
		c.reads[p] = map[uint32]int{}
	}
	for _, d := range ds {
		if d.Recipient.Platform != p {
			c.foreign++
		}
		c.reads[p][d.Seq]++
	}
	return ds, err
}

func (c *readCounter) Deliveries(runID string, o herald.Outcome, after uint32, limit int) ([]herald.Delivery, error) {
	ds, err := c.Store.Deliveries(runID, o, after, limit)
	if o == herald.Pending || o == "" {
		c.mu.Lock()
		c.wide += len(ds)
		c.mu.Unlock()
	}
	return ds, err
}

// Each channel's pager reads only its own platform's pending records, each
// once: a run on three channels, paged a few records at a time, reads no
// record twice and none of another platform's.
func TestEachChannelReadsOnlyItsOwnPending(t *testing.T) {
	const perChannel = 40
	e := newEnv(t, nil)
	channels := []herald.Platform{herald.Telegram, herald.LINE, herald.Messenger}
	for _, p := range channels {
		e.subscribe(p, perChannel, nil)
	}
	counter := &readCounter{Store: e.st, reads: map[herald.Platform]map[uint32]int{}}
	opts := e.opts
	opts.PageSize = 7
	eng := dispatchtest.Engine(t, counter, senders(t, e.url), opts)
	bid := e.broadcast(herald.Content{Kind: herald.TextContent, Text: "Hello, {name}!"}, channels...)
	e.runOn(eng, bid)

	if run := e.lastRun(bid); run.Status != herald.RunCompleted || run.Total != 3*perChannel {
		t.Fatalf("run %s with %d recipients, want completed with %d", run.Status, run.Total, 3*perChannel)
	}
	if counter.foreign > 0 || counter.wide > 0 {
		t.Errorf("pagers read %d records of other platforms and %d through a read of every platform's, want none", counter.foreign, counter.wide)
	}
	for _, p := range channels {
		seqs := counter.reads[p]
		if len(seqs) != perChannel {
			t.Errorf("%s's pager read %d records, want its %d", p, len(seqs), perChannel)
		}
		for seq, n := range seqs {
			if n != 1 {
				t.Errorf("%s's pager read record %d %d times, want once", p, seq, n)
			}
		}
	}
}
