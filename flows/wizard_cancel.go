package flows

// choiceDiscard throws the draft away once the admin said so.
const choiceDiscard = "wiz:discard"

// askCancel asks before Cancel throws away a new broadcast or sequence
// with something entered; an empty one, or an edit (what is stored stays
// as it was), ends at once.
func (t *turn) askCancel() error {
	name, editing := t.sess.Draft.Name, t.sess.EditID != ""
	if sd := t.sess.Seq; sd != nil {
		name, editing = sd.Q.Name, sd.EditID != ""
	}
	if name == "" || editing {
		return t.cancelWizard()
	}
	cs := []Choice{t.choice(choiceDiscard, t.T("btn.discard")), t.choice("wiz:again", t.T("btn.keep_going"))}
	t.say(t.T("wizard.cancel_confirm", "Name", name), cs...)
	t.sess.Offered = cs
	return nil
}
