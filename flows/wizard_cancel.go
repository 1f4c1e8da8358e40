package flows

// choiceDiscard throws the draft away once the admin said so.
const choiceDiscard = "wiz:discard"

// askCancel asks before Cancel throws away a new broadcast with something
// entered; an empty one, or an edit (the broadcast stays as it was), ends
// at once.
func (t *turn) askCancel() error {
	name := t.sess.Draft.Name
	if name == "" || t.sess.EditID != "" {
		return t.cancelWizard()
	}
	cs := []Choice{t.choice(choiceDiscard, t.T("btn.discard")), t.choice("wiz:again", t.T("btn.keep_going"))}
	t.say(t.T("wizard.cancel_confirm", "Name", name), cs...)
	t.sess.Offered = cs
	return nil
}
