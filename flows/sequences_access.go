package flows

import (
	"errors"

	"github.com/heraldbot/herald"
)

// A restricted admin's sequences reach only the accounts they may use, as
// their broadcasts' audiences do: a new sequence keeps those accounts
// (herald.Sequence.Accounts), and they see and change only sequences
// within them.

// sequenceAccounts are the accounts a sequence made by this turn's admin
// reaches: every account the admin may use, nil (all) when unrestricted.
func (t *turn) sequenceAccounts() []herald.Account {
	if !t.restricted() {
		return nil
	}
	var accs []herald.Account
	for _, p := range t.channels() {
		for _, a := range t.offered(p) {
			accs = append(accs, a.Account)
		}
	}
	return accs
}

// deniedSequence is the first account q reaches that this turn's admin
// may not use, if any; a sequence of every account (no Accounts) reaches
// each configured one.
func (t *turn) deniedSequence(q *herald.Sequence) (herald.Account, bool) {
	if !t.restricted() {
		return herald.Account{}, false
	}
	accs := q.Accounts
	if len(accs) == 0 {
		for _, p := range t.e.cfg.Channels {
			for _, a := range t.e.accountsOn(p) {
				accs = append(accs, a.Account)
			}
		}
	}
	for _, acc := range accs {
		if !t.mayUse(acc) {
			return acc, true
		}
	}
	return herald.Account{}, false
}

// visibleSequences are those of all this turn's admin may see.
func (t *turn) visibleSequences(all []herald.Sequence) []herald.Sequence {
	if !t.restricted() {
		return all
	}
	var out []herald.Sequence
	for i := range all {
		if _, bad := t.deniedSequence(&all[i]); !bad {
			out = append(out, all[i])
		}
	}
	return out
}

// sequenceNamed reads the sequence an ID command names and answers when
// there is none, or when it is beyond a restricted admin's accounts (as a
// broadcast's ID does); ok reports whether the command goes on.
func (t *turn) sequenceNamed(id string) (q herald.Sequence, ok bool, err error) {
	q, err = t.e.cfg.Sequences.Get(id)
	if errors.Is(err, herald.ErrNotFound) {
		t.say(t.T("err.seq.not_found", "ID", id), t.choice("/sequences", t.T("seq.btn.list")))
		return q, false, nil
	}
	if err != nil {
		return q, false, err
	}
	if acc, bad := t.deniedSequence(&q); bad {
		t.say(t.denied(acc), t.choice("/sequences", t.T("seq.btn.list")))
		return q, false, nil
	}
	return q, true, nil
}

// reachLine says which accounts q reaches when not all ("📡 Reaches only:
// LINE · Shop"), for its summary and /sequences; "" for every account.
func (t *turn) reachLine(q *herald.Sequence) string {
	if len(q.Accounts) == 0 {
		return ""
	}
	names := make([]string, len(q.Accounts))
	for i, acc := range q.Accounts {
		names[i] = t.e.accountLabel(acc)
	}
	return "\n" + t.T("seq.summary.accounts", "Accounts", t.joinList(names))
}
