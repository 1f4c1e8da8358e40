package storage

import (
	"slices"
	"strings"
	"time"

	"github.com/heraldbot/herald"
)

// The rules of sequences (who enters, waits, gets a step, moves on,
// finishes or leaves, and what the counts say), shared by both engines:
// each engine keeps the places (enrollments and the due index) its own
// way behind SequenceEngine, inside one write transaction, and these
// functions decide.

// Enrollment is one person's place in a sequence: the step they wait for,
// the run carrying it (0 while waiting) and when it is due (while waiting).
type Enrollment struct {
	Step int
	Run  int
	Due  time.Time
}

// Waiting reports whether the person waits for their step's time (and so
// is in the due index) rather than being in the step's run.
func (e Enrollment) Waiting() bool { return e.Run == 0 }

// DuePerson is one entry of the due index of a step: who, and when.
type DuePerson struct {
	Seq uint32
	Due time.Time
}

// SequenceEngine is what the sequence rules need of one engine's write
// transaction.
type SequenceEngine interface {
	// Enrollment reads sub's place in sequence id (false: not in it).
	Enrollment(id string, sub uint32) (Enrollment, bool, error)
	// PutEnrollment saves sub's place in id as e, replacing old (nil: they
	// were not in it); the due index follows (a waiting place is in it).
	PutEnrollment(id string, sub uint32, old *Enrollment, e Enrollment) error
	// DeleteEnrollment takes sub, at old, out of id and the due index.
	DeleteEnrollment(id string, sub uint32, old Enrollment) error
	// Subscriber reads the person with Seq seq (false: gone). The result
	// is valid until the next call.
	Subscriber(seq uint32) (*herald.Subscriber, bool, error)
	// ABFamily lists the broadcasts of the A/B test broadcast id is part
	// of (nil: none, or deleted since).
	ABFamily(id string) ([]string, error)
}

// SequenceMoves moves people through sequences inside one write
// transaction of an engine.
type SequenceMoves struct {
	e        SequenceEngine
	timing   herald.StepTiming
	families map[string][]string // A/B families read once per transaction
}

// NewSequenceMoves is the rules over e, with timing deciding due times
// (nil where nobody is moved to a later step).
func NewSequenceMoves(e SequenceEngine, timing herald.StepTiming) *SequenceMoves {
	return &SequenceMoves{e: e, timing: timing}
}

// MayStay reports whether sub may get q's next step: reachable, of an
// account q reaches, and carrying none of its exit tags.
func MayStay(q *herald.Sequence, sub *herald.Subscriber) bool {
	if !sub.Reachable() {
		return false
	}
	return q.Reaches(sub.AccountOf()) && !slices.ContainsFunc(q.ExitTags, sub.HasTag)
}

// wait puts a person at step of q, due at due (old: where they were).
func (m *SequenceMoves) wait(q *herald.Sequence, seq uint32, old *Enrollment, step int, due time.Time) error {
	if err := m.e.PutEnrollment(q.ID, seq, old, Enrollment{Step: step, Due: due}); err != nil {
		return err
	}
	q.Counts.Waiting[step]++
	return nil
}

// leave takes a person at e out of q: finished, or left.
func (m *SequenceMoves) leave(q *herald.Sequence, seq uint32, e Enrollment, finished bool) error {
	if e.Step < len(q.Counts.Waiting) {
		q.Counts.Waiting[e.Step]--
	}
	if finished {
		q.Counts.Finished++
	} else {
		q.Counts.Left++
	}
	return m.e.DeleteEnrollment(q.ID, seq, e)
}

// EnrollAll enrolls, at now, the person with Seq sub in every active
// sequence of all whose trigger matches and who is not in it already,
// marking those it changed in dirty. It returns the sequences entered.
func (m *SequenceMoves) EnrollAll(all []herald.Sequence, dirty []bool, kind herald.TriggerKind, detail string, sub uint32, now time.Time) ([]string, error) {
	var entered []string
	for i := range all {
		q := &all[i]
		if q.Paused {
			continue
		}
		if _, in, err := m.e.Enrollment(q.ID, sub); err != nil || in {
			if err != nil {
				return nil, err
			}
			continue
		}
		if ok, err := m.matches(q, kind, detail); err != nil || !ok {
			if err != nil {
				return nil, err
			}
			continue
		}
		p, ok, err := m.e.Subscriber(sub)
		if err != nil {
			return nil, err
		}
		if !ok || !MayStay(q, p) {
			continue
		}
		if err := m.wait(q, sub, nil, 0, m.timing.Due(q, 0, p, now)); err != nil {
			return nil, err
		}
		q.Counts.Enrolled++
		dirty[i] = true
		entered = append(entered, q.ID)
	}
	return entered, nil
}

// LeaveAll takes the person with Seq sub out of every sequence of all in
// which they wait for a step and leaves reports true for (nil: all),
// marking those it changed in dirty. Someone whose step is being sent is
// skipped by its run and leaves when it ends.
func (m *SequenceMoves) LeaveAll(all []herald.Sequence, dirty []bool, sub uint32, leaves func(q *herald.Sequence) bool) error {
	for i := range all {
		q := &all[i]
		e, ok, err := m.e.Enrollment(q.ID, sub)
		if err != nil {
			return err
		}
		if !ok || !e.Waiting() || (leaves != nil && !leaves(q)) {
			continue
		}
		if err := m.leave(q, sub, e, false); err != nil {
			return err
		}
		dirty[i] = true
	}
	return nil
}

// FinishStep ends q for the people of waiting, who waited for step (the
// step was removed): they have finished.
func (m *SequenceMoves) FinishStep(q *herald.Sequence, step int, waiting []DuePerson) error {
	for _, p := range waiting {
		if err := m.leave(q, p.Seq, Enrollment{Step: step, Due: p.Due}, true); err != nil {
			return err
		}
	}
	return nil
}

// StepRunner is the run a hand-out makes of a step's broadcast, made only
// once someone is handed the step.
type StepRunner interface {
	// Start makes the run and returns its number.
	Start() (int, error)
	// Add makes d one of the run's recipients.
	Add(d *herald.Delivery) error
}

// HandOut gives step of q to due, the people due for it by now (in the
// order the engine adds records best): each becomes a pending recipient
// of the step's run, or leaves when they may not stay. It returns how
// many the run has.
func (m *SequenceMoves) HandOut(q *herald.Sequence, step int, due []DuePerson, now time.Time, run StepRunner) (int, error) {
	n, runN := 0, 0
	for _, p := range due {
		was := Enrollment{Step: step, Due: p.Due}
		sub, ok, err := m.e.Subscriber(p.Seq)
		if err != nil {
			return 0, err
		}
		if !ok || !MayStay(q, sub) {
			if err := m.leave(q, p.Seq, was, false); err != nil {
				return 0, err
			}
			continue
		}
		if runN == 0 {
			if runN, err = run.Start(); err != nil {
				return 0, err
			}
		}
		d := herald.Delivery{Seq: p.Seq, Recipient: sub.Key(), Outcome: herald.Pending, NotBefore: m.timing.NotBefore(sub, now)}
		if err := run.Add(&d); err != nil {
			return 0, err
		}
		if err := m.e.PutEnrollment(q.ID, p.Seq, &was, Enrollment{Step: step, Run: runN}); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// Advance moves one recipient d of step's finished run n on: those sent
// (or failed for a passing reason) wait for the next step, due from when
// their message went (finished: when the run ended); the last step's
// finish; those the run found blocked or unsubscribed leave; those the
// run never reached wait for the step again.
func (m *SequenceMoves) Advance(q *herald.Sequence, step, n int, d *herald.Delivery, finished time.Time) error {
	e, ok, err := m.e.Enrollment(q.ID, d.Seq)
	if err != nil || !ok || e.Step != step || e.Run != n {
		return err // not this run's: moved on already, or a re-entry
	}
	switch d.Reason {
	case herald.ReasonBlocked, herald.ReasonUnsubscribed, herald.ReasonExitTag:
		return m.leave(q, d.Seq, e, false)
	}
	if d.Outcome == herald.Pending || d.Outcome == herald.Held { // the run failed before reaching them: the step again
		q.Counts.Waiting[step]--
		return m.wait(q, d.Seq, &e, step, finished)
	}
	if step+1 >= len(q.Steps) {
		return m.leave(q, d.Seq, e, true)
	}
	sub, found, err := m.e.Subscriber(d.Seq)
	if err != nil || !found {
		if err == nil {
			err = m.leave(q, d.Seq, e, false)
		}
		return err
	}
	from := d.At
	if from.IsZero() {
		from = finished
	}
	q.Counts.Waiting[step]--
	return m.wait(q, d.Seq, &e, step+1, m.timing.Due(q, step+1, sub, from))
}

// matches reports whether q's trigger starts for what happened. A tap on
// any broadcast of an A/B test — the test's own (A), a variant, the rest
// (“★B”) — counts for a trigger naming any of them: each is a broadcast
// of its own with its own taps, but to the admin they are one broadcast.
func (m *SequenceMoves) matches(q *herald.Sequence, kind herald.TriggerKind, detail string) (bool, error) {
	if q.Trigger.Matches(kind, detail) || kind != herald.TriggerTap || q.Trigger.Kind != herald.TriggerTap {
		return q.Trigger.Matches(kind, detail), nil
	}
	tapped, button, _ := strings.Cut(detail, "\x00")
	family, ok := m.families[tapped]
	if !ok {
		var err error
		if family, err = m.e.ABFamily(tapped); err != nil {
			return false, err
		}
		if m.families == nil {
			m.families = map[string][]string{}
		}
		m.families[tapped] = family
	}
	for _, id := range family {
		if q.Trigger.Matches(kind, id+"\x00"+button) {
			return true, nil
		}
	}
	return false, nil
}

// ABFamilyOf is the A/B family of broadcast b (nil: none); test reads
// the test's own broadcast when b is one of its variants.
func ABFamilyOf(b *herald.Broadcast, test func(id string) (*herald.Broadcast, error)) ([]string, error) {
	id := b.ABTestID()
	if id == "" {
		return nil, nil
	}
	if id != b.ID {
		t, err := test(id)
		if err != nil || t == nil {
			return nil, err
		}
		b = t
	}
	return herald.ABFamily(b), nil
}
