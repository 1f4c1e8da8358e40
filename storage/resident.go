package storage

import (
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// defaultTrimEvery is how often the file pages this process has read are
// dropped from its resident set (Options.TrimEvery). A run reads its
// recipients' pages fast, each fault mapping 64 KiB (faultAround): at
// 200ms a million-recipient run held 20 MB of them between two trims; at
// 50ms the pager's reads still left 4-8 MB at times, and 25ms took another
// ~1.5 MB off the run's peak at no measurable cost (a trim is one madvise).
const defaultTrimEvery = 25 * time.Millisecond

// trimAfterBytes bounds what a bulk stream (the index rebuild, streaming
// every subscriber or an audience) reads, and what write transactions
// allocate (wrote), between two trims: such a stream reads a million
// records in about a second, faster than the timer, and whatever it leaves
// mapped adds to a run's peak RSS.
const trimAfterBytes = 1 << 20

// Why trim: bbolt reads through a read-only, shared mmap of the whole file.
// Every page a transaction touches stays mapped into this process, so
// streaming a million subscribers and a million delivery records leaves the
// whole file (hundreds of MB) in the process's RSS, although those pages are
// clean page cache the kernel already holds and the process will not read
// again soon. Dropping them from the mapping (madvise MADV_DONTNEED) keeps
// RSS to what the last interval touched; the pages stay in the page cache,
// so a later read refaults them without disk I/O. Nothing is written or lost:
// the mapping is read-only and bbolt writes with pwrite.

// trimmer drops the database's mapped pages from RSS every interval in which
// transactions ran (an idle bot does nothing), and after every
// trimAfterBytes a bulk stream reports.
type trimmer struct {
	db       *bolt.DB
	read     atomic.Int64 // bytes streamed since the last trim
	alloc    atomic.Int64 // the pages write transactions had allocated, when wrote last looked
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// startTrimmer starts trimming every d; d <= 0, or a platform without
// madvise, starts nothing (a nil trimmer).
func startTrimmer(db *bolt.DB, d time.Duration) *trimmer {
	if d <= 0 || !canTrimMapping {
		return nil
	}
	t := &trimmer{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	go t.loop(db, d)
	return t
}

// streamed counts n bytes a bulk stream just read and trims once they add
// up to trimAfterBytes. Call it between transactions, never inside one: the
// trim opens a read transaction of its own, and a goroutine waiting for a
// second one while holding the first deadlocks against a remapping writer.
func (t *trimmer) streamed(n int) {
	if t != nil && t.read.Add(int64(n)) >= trimAfterBytes {
		t.read.Store(0)
		trimMapping(t.db)
	}
}

// faultAround is how much of the mapping one page fault makes resident:
// Linux maps the neighbours of a faulting page that are in the page cache,
// 64 KiB in all (fault_around_bytes; MADV_RANDOM does not stop it).
const faultAround = 16

// wrote counts the pages write transactions allocated since it last
// looked as streamed, each as the fault-around it will cost: bbolt writes
// every page a commit changes to a new place, anywhere in the file, and
// the next transactions read them through the mapping. A run's group
// commits and in-flight marks and a snapshot's batches so fill the
// resident set faster than a bulk read (measured on a million-recipient
// run: 20 MB between two timer trims). Call it after a write transaction,
// as streamed.
func (t *trimmer) wrote() {
	if t == nil {
		return
	}
	st := t.db.Stats()
	n := st.TxStats.GetPageAlloc()
	t.streamed(faultAround * int(n-t.alloc.Swap(n)))
}

func (t *trimmer) loop(db *bolt.DB, d time.Duration) {
	defer close(t.done)
	tick := time.NewTicker(d)
	defer tick.Stop()
	last := -1
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		// Read transactions and cursors (made by every Get, in read and
		// write transactions alike) say whether pages were touched.
		st := db.Stats()
		if n := st.TxN + int(st.TxStats.GetCursorCount()); n != last {
			last = n
			t.read.Store(0)
			trimMapping(db)
		}
	}
}

// close stops the trimmer and waits for it, before the database closes.
func (t *trimmer) close() {
	if t == nil {
		return
	}
	t.stopOnce.Do(func() { close(t.stop) })
	<-t.done
}

// trimMapping drops the pages of db's mapping from this process's resident
// set. It runs inside a read transaction on purpose: bbolt remaps the file
// (munmap, then mmap at a possibly different address) only under its mmap
// lock held exclusively, and every read transaction holds that lock shared
// for its whole life. So while this transaction is open the address and
// length below are the live mapping, and the madvise can never land on
// memory that was unmapped and reused (for the Go heap, where
// MADV_DONTNEED would zero live data).
//
// Concurrent readers and the writer need no further care: on a shared file
// mapping MADV_DONTNEED only removes page-table entries, and the next access
// refaults the same page from the page cache with the file's current
// contents, exactly what the access would have seen without the madvise
// (bbolt never rewrites a page an open transaction can reach, and whatever
// it pwrites is visible through a shared mapping either way).
func trimMapping(db *bolt.DB) {
	_ = db.View(func(tx *bolt.Tx) error {
		// tx.Size is the end of the pages this transaction's meta knows;
		// the mapping is at least that long (bbolt maps past the pages in
		// use). Pages past it belong to newer commits: the next trim.
		dropResident(db.Info().Data, uintptr(tx.Size()))
		return nil
	})
}
