package inbound

import (
	"errors"
	"fmt"

	"github.com/heraldbot/herald"
)

// writeLoop group-commits jobs: it takes every job already queued (up to
// maxBatch events) into one transaction. No timer: under light load each
// event commits at once; under a burst the batches grow by themselves.
func (in *Inbox) writeLoop() {
	defer close(in.done)
	for j := range in.jobs {
		batch, n := []*job{j}, len(j.evs)
	more:
		for n < in.maxBatch {
			select {
			case next, ok := <-in.jobs:
				if !ok {
					break more
				}
				batch = append(batch, next)
				n += len(next.evs)
			default:
				break more
			}
		}
		in.commit(batch)
	}
}

// commit writes a batch; if it fails, each job is retried alone so one bad
// event cannot fail its neighbours.
func (in *Inbox) commit(batch []*job) {
	err := in.write(batch)
	if err != nil && len(batch) > 1 {
		for _, j := range batch {
			in.finish([]*job{j}, in.write([]*job{j}))
		}
		return
	}
	in.finish(batch, err)
}

func (in *Inbox) finish(batch []*job, err error) {
	for _, j := range batch {
		j.err = err
		close(j.done)
	}
	if err != nil && !errors.Is(err, errSkipNew) {
		in.log.Error("inbound: write events", "jobs", len(batch), "error", err)
	}
}

func (in *Inbox) write(batch []*job) error {
	var ids []string
	var keys []herald.SubscriberKey
	var taps []herald.Tap
	var at []slot
	for _, j := range batch {
		for i := range j.evs {
			ev := &j.evs[i]
			j.results[i] = Result{} // from a batch that failed, when retried alone
			at = append(at, slot{j, i})
			ids = append(ids, ev.seenID())
			var tap herald.Tap
			if j.taps[i] != nil {
				tap = *j.taps[i]
			}
			taps = append(taps, tap)
			if ev.CountOnly {
				keys = append(keys, herald.SubscriberKey{})
			} else {
				keys = append(keys, ev.Key)
			}
		}
	}
	repeat, err := in.store.RecordInbound(ids, keys, taps, func(e int, sub *herald.Subscriber, created bool) error {
		s := at[e]
		if created && s.j.evs[s.i].Kind == Profile {
			// The whole batch rolls back and commit retries each job
			// alone: only this profile update is dropped.
			return errSkipNew
		}
		apply(&s.j.evs[s.i], sub, created, s.j.buttons[s.i])
		s.j.results[s.i].Subscriber = cloneSubscriber(sub)
		s.j.results[s.i].Created = created
		return nil
	})
	if err != nil {
		return fmt.Errorf("inbound: write %d events: %w", len(ids), err)
	}
	counted := 0
	for e, s := range at {
		s.j.results[s.i].Repeat = repeat[e]
		if !repeat[e] && s.j.taps[s.i] != nil {
			counted++
		}
	}
	in.metrics.Taps(counted)
	in.metrics.WriteBatch(len(ids))
	return nil
}

// slot is one event of one job.
type slot struct {
	j *job
	i int
}
