package storage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// The rules of a sequence's own record and its step broadcasts, shared by
// both engines (see rules_sequences.go for the moves of its people).

// SortSequences puts sequences in their listing order: oldest first.
func SortSequences(all []herald.Sequence) {
	slices.SortFunc(all, func(a, b herald.Sequence) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// KeepSequenceFields undoes in q, changed by an update of old at now, what
// an update may not change: its identity, counts and step broadcasts
// (new steps get theirs when saved).
func KeepSequenceFields(old, q *herald.Sequence, now time.Time) {
	q.ID, q.CreatedAt, q.CreatedBy, q.Counts = old.ID, old.CreatedAt, old.CreatedBy, old.Counts
	q.UpdatedAt = now
	for i := range q.Steps {
		if i < len(old.Steps) {
			q.Steps[i].BroadcastID = old.Steps[i].BroadcastID
		} else {
			q.Steps[i].BroadcastID = ""
		}
	}
}

// FitWaiting gives q one waiting count per step.
func FitWaiting(q *herald.Sequence) {
	for len(q.Counts.Waiting) < len(q.Steps) {
		q.Counts.Waiting = append(q.Counts.Waiting, 0)
	}
	q.Counts.Waiting = q.Counts.Waiting[:len(q.Steps)]
}

// StepBroadcast is the hidden broadcast that carries step i: every
// channel, marketing, no schedule of its own (the sequence hands out its
// runs), and an origin no admin chat reports to (step runs are many and
// small: /sequences shows their figures instead).
func StepBroadcast(q *herald.Sequence, i int, now time.Time) herald.Broadcast {
	return herald.Broadcast{
		ID: q.Steps[i].BroadcastID, Name: stepName(q, i),
		Origin:   herald.Origin{Frontend: herald.SequenceFrontend, UserID: q.CreatedBy},
		Audience: herald.Audience{Channels: slices.Clone(herald.Platforms)},
		Content:  q.Steps[i].Content, Category: herald.Marketing,
		Schedule: herald.Schedule{Kind: herald.SendNow},
		Status:   herald.StatusScheduled, CreatedAt: now, UpdatedAt: now, CreatedBy: q.CreatedBy,
		Step: stepOf(q, i, nil),
	}
}

// SyncStepBroadcast copies step i of q into its existing broadcast b.
func SyncStepBroadcast(q *herald.Sequence, i int, b *herald.Broadcast) {
	b.Content, b.Name = q.Steps[i].Content, stepName(q, i)
	b.Step = stepOf(q, i, b.Step)
}

func stepOf(q *herald.Sequence, i int, was *herald.StepOf) *herald.StepOf {
	st := &herald.StepOf{Sequence: q.ID, Index: i, ExitTags: slices.Clone(q.ExitTags)}
	if was != nil {
		st.Pruned = was.Pruned
	}
	return st
}

func stepName(q *herald.Sequence, i int) string {
	return q.ID + " · " + strconv.Itoa(i+1)
}

// StepNotSending is herald.ErrInvalidTransition when step broadcast b of
// sequence id is sending: the sequence may not be deleted yet.
func StepNotSending(id string, b *herald.Broadcast) error {
	if b.Status == herald.StatusSending {
		return fmt.Errorf("sequence %s: step %s is sending: %w", id, b.ID, herald.ErrInvalidTransition)
	}
	return nil
}

// StepBusy reports whether a step whose broadcast is b (nil: deleted)
// has a run going (or paused): its next people wait for that run to end
// (one run per broadcast at a time). A deleted step broadcast counts as
// busy, so one broken step holds only its own people.
func StepBusy(b *herald.Broadcast) bool {
	return b == nil || b.Status != herald.StatusScheduled
}

// PruneStepRun reports whether retention deletes step run r (finished
// before cutoff; moving: its people have not moved on yet) and if so adds
// its figures to the step's pruned totals on b.
func PruneStepRun(b *herald.Broadcast, r *herald.Run, cutoff time.Time, moving bool) bool {
	if r.Status.Unfinished() || r.FinishedAt.IsZero() || !r.FinishedAt.Before(cutoff) || moving {
		return false
	}
	for _, t := range r.Tally {
		b.Step.Pruned.Sent += t.Sent
		b.Step.Pruned.Failed += t.Failed
	}
	return true
}

// CloneSequence is a deep copy of q.
func CloneSequence(q *herald.Sequence) herald.Sequence {
	c := *q
	c.Steps = slices.Clone(q.Steps)
	c.ExitTags = slices.Clone(q.ExitTags)
	c.Counts.Waiting = slices.Clone(q.Counts.Waiting)
	return c
}
