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

// slot is one event of one job.
type slot struct {
	j *job
	i int
}

func (in *Inbox) write(batch []*job) error {
	var keys []herald.SubscriberKey
	var perKey [][]slot
	index := map[herald.SubscriberKey]int{}
	var taps []herald.Tap
	n := 0
	for _, j := range batch {
		for i := range j.evs {
			n++
			ev := &j.evs[i]
			if j.taps[i] != nil {
				taps = append(taps, *j.taps[i])
			}
			if ev.CountOnly {
				continue
			}
			k, ok := index[ev.Key]
			if !ok {
				k = len(keys)
				index[ev.Key] = k
				keys = append(keys, ev.Key)
				perKey = append(perKey, nil)
			}
			perKey[k] = append(perKey[k], slot{j, i})
		}
	}
	if len(keys) > 0 {
		err := in.store.UpdateSubscribers(keys, func(k int, sub *herald.Subscriber, created bool) error {
			for _, s := range perKey[k] {
				if created && s.j.evs[s.i].Kind == Profile {
					// The whole batch rolls back and commit retries each
					// job alone: only this profile update is dropped.
					return errSkipNew
				}
				apply(&s.j.evs[s.i], sub, created, s.j.buttons[s.i])
				created = false
				s.j.results[s.i].Subscriber = cloneSubscriber(sub)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("inbound: write %d subscribers: %w", len(keys), err)
		}
	}
	if len(taps) > 0 {
		if err := in.store.RecordTaps(taps); err != nil {
			return fmt.Errorf("inbound: record %d taps: %w", len(taps), err)
		}
		in.metrics.Taps(len(taps))
	}
	in.metrics.WriteBatch(n)
	return nil
}
