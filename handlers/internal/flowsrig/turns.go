package flowsrig

// Chat is an admin frontend as a turn counter drives it: typing a line
// (in answer to the newest message containing prompt; "" for none) and
// pressing the button value on the newest message containing prompt.
type Chat interface {
	Type(text, prompt string)
	Press(prompt, value string)
}

// SimpleBroadcastTurns makes the simplest broadcast (a name, LINE,
// everyone, a text, no buttons, now) from /new to Confirm on an engine
// from New, and returns the admin's inputs (issue #21 counts them per
// frontend). typed types every answer: one line at the channel step,
// "everyone on line", and the words of a button's label for the rest;
// otherwise every choice is a button.
func SimpleBroadcastTurns(c Chat, typed bool) int {
	turns := 0
	typeIn := func(text, prompt string) { turns++; c.Type(text, prompt) }
	press := func(prompt, value string) { turns++; c.Press(prompt, value) }
	typeIn("/new", "")
	typeIn("Winter sale", "Step 1")
	if typed {
		typeIn("everyone on line", "Step 2")
	} else {
		press("Step 2", "ch:line")
		press("Step 2", "done")
		press("Step 3", "done") // everyone, as shown; people, as ticked (or no group chat stored)
	}
	typeIn("Hi {name|there}!", "Step 4") // typed text is a text message
	// No buttons, send now: no When step; nobody is in an operator chat,
	// so no question. Typed, a button's label is its words.
	if typed {
		typeIn("No buttons, send now", "Step 5")
		typeIn("confirm", "Summary of")
	} else {
		press("Step 5", "btn:now")
		press("Summary of", "sum:confirm")
	}
	return turns
}
