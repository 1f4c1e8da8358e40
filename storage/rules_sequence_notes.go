package storage

import (
	"slices"
	"time"

	"github.com/heraldbot/herald"
)

// SequenceNote is one thing that happened to a person that may start or
// end sequences (see sequence_notes.go): both engines write the notes
// these functions decide, in the transaction of the change itself.
type SequenceNote struct {
	Seq uint32
	// Kind is a trigger (follow, tag, tap) or NoteLeave.
	Kind   herald.TriggerKind
	Detail string
}

// NoteLeave is the kind of a note that takes the person out of every
// sequence (they unsubscribed or blocked the bot).
const NoteLeave herald.TriggerKind = "leave"

// ChangedNotes is what a saved change of a subscriber (old nil: new) means
// for sequences: each tag gained (it may start sequences and end others),
// and leaving them all when they stopped being reachable. Someone
// imported is not enrolled by the tags of their import (see README,
// "Sequences").
func ChangedNotes(old, sub *herald.Subscriber) []SequenceNote {
	if old == nil && sub.Imported {
		return nil
	}
	if old != nil && old.Reachable() && !sub.Reachable() {
		return []SequenceNote{{Seq: sub.Seq, Kind: NoteLeave}}
	}
	var notes []SequenceNote
	for _, t := range sub.Tags {
		if old == nil || !old.HasTag(t) {
			notes = append(notes, SequenceNote{Seq: sub.Seq, Kind: herald.TriggerTag, Detail: t})
		}
	}
	return notes
}

// InboundNotes is what a batch of end users' events starts, news being the
// people the batch saved and olds what they were before (nil: the batch
// created them): a new person (they followed or wrote first) triggers the
// "new subscriber" sequences of their channel and account, a counted tap
// of someone in the batch those of its button. Tags a button added are
// noted with the change (ChangedNotes).
func InboundNotes(olds, news []*herald.Subscriber, taps []herald.Tap) []SequenceNote {
	var notes []SequenceNote
	seqs := make(map[herald.SubscriberKey]uint32, len(news))
	for i, sub := range news {
		seqs[sub.Key()] = sub.Seq
		if olds[i] == nil && sub.Kind != herald.KindGroup && sub.Reachable() {
			notes = append(notes, SequenceNote{Seq: sub.Seq, Kind: herald.TriggerFollow, Detail: herald.FollowDetail(sub.Key())})
		}
	}
	for _, t := range taps {
		if seq, ok := seqs[t.Subscriber]; ok {
			notes = append(notes, SequenceNote{Seq: seq, Kind: herald.TriggerTap, Detail: TapDetail(t)})
		}
	}
	return notes
}

// TapDetail is the trigger detail of a tap: its broadcast and button.
func TapDetail(t herald.Tap) string { return t.BroadcastID + "\x00" + t.ButtonID }

// ApplyNote applies one note to the sequences all (dirty: changed): a
// follow, tap or tag enrolls the person in every active sequence it
// triggers (and a tag takes them out of those it is an exit tag of); a
// leave takes them out of all. A kind this version does not know is
// dropped.
func (m *SequenceMoves) ApplyNote(all []herald.Sequence, dirty []bool, n SequenceNote, now time.Time) error {
	switch n.Kind {
	case NoteLeave:
		return m.LeaveAll(all, dirty, n.Seq, nil)
	case herald.TriggerTag:
		err := m.LeaveAll(all, dirty, n.Seq, func(q *herald.Sequence) bool { return slices.Contains(q.ExitTags, n.Detail) })
		if err != nil {
			return err
		}
	case herald.TriggerFollow, herald.TriggerTap:
	default:
		return nil
	}
	_, err := m.EnrollAll(all, dirty, n.Kind, n.Detail, n.Seq, now)
	return err
}
