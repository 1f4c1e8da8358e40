// Package flows is Herald's platform-neutral conversation engine: admins'
// inputs (text, a pressed choice, an uploaded file, a command) go in, and
// replies (text, choices, what to send next) come out. The create wizard,
// the one-line /new syntax and the management commands live here; Slack,
// Telegram and the console only render what it returns.
package flows

import "github.com/heraldbot/herald"

// Input is one thing an admin did in a chat.
type Input struct {
	// Frontend, ChatID and UserID identify the admin's conversation; one
	// admin has a separate session in every chat.
	Frontend string // "slack", "telegram", "console"
	ChatID   string
	UserID   string
	UserName string
	// Exactly one of Text, Choice and File is set. Text starting with "/"
	// is a command.
	Text   string
	Choice string // the ID of a pressed Choice
	File   *File
	// Formatted says Spans are Text's formatting, as the platform sent it
	// beside the text (Telegram's message entities). Otherwise Text may
	// carry Herald's markup (Slack's mrkdwn, typed in Slack or the
	// console), which the wizard reads itself.
	Formatted bool
	Spans     []herald.Span
}

// File is an uploaded file (an image for a broadcast, a CSV of user IDs)
// or one Herald sends back (the failed recipients of /errors).
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// Expect says what kind of input a reply waits for, so a frontend can
// choose a keyboard, a text box or an upload prompt.
type Expect string

// Expected inputs.
const (
	ExpectNothing Expect = ""       // an answer; no step is waiting
	ExpectText    Expect = "text"   // type something (choices may also be pressed)
	ExpectChoice  Expect = "choice" // press one of the choices
	ExpectFile    Expect = "file"   // upload a file (or type a URL)
)

// Reply is one message back to the admin.
type Reply struct {
	Text string
	// Choices render as buttons. Their IDs are at most MaxChoiceID bytes so
	// they fit Telegram's callback data.
	Choices []Choice
	// Multi marks a multi-select: choices carry Checked, pressing one
	// toggles it and the reply is re-sent with Edit set; a "done" choice ends it.
	Multi  bool
	Expect Expect
	// Edit asks the frontend to replace the message whose choice was just
	// pressed instead of posting a new one, where it can (Slack and
	// Telegram can; the console prints it again).
	Edit bool
	// Undo is the broadcast whose send-now this reply offers to undo. Once
	// the run starts the offer is no longer true: a frontend that can
	// edit records the posted message (adminchat.Offers) to be edited then.
	Undo string
	// File is an attachment, e.g. a CSV of failed recipients.
	File *File
	// Pre marks Text as preformatted (a caret under a syntax error): show
	// it in a monospace block.
	Pre bool
	// DateTime marks a reply that waits for a date and time typed in
	// herald.LocalLayout ("2026-12-01 09:00"). Expect stays ExpectText, so
	// a frontend without pickers needs nothing; one with them (Slack) may
	// offer a date and a time picker and send the picked values as that
	// text.
	DateTime *DateTimeHint
	// Preview, when set, is the broadcast's message itself, shown after
	// Text (which names whom it is personalised for); see Preview.
	Preview *Preview
	// Markup are the stretches of Text that are a broadcast's text in
	// Herald's markup (herald.ParseMarkup reads them): a frontend that
	// shows markup formatted renders those and shows the rest, prose, as
	// written. The console prints them as typed.
	Markup []TextRange
}

// DateTimeHint prefills a frontend's date and time pickers.
type DateTimeHint struct {
	// Initial is the suggested answer in herald.LocalLayout.
	Initial string
	// Zone is the IANA timezone the answer is read in; "" when it is each
	// recipient's own local time.
	Zone string
}

// Choice is one button.
type Choice struct {
	ID    string
	Label string
	// Checked ticks a multi-select's toggle, or the current one of a few
	// exclusive choices (people, group chats or both).
	Checked bool
}

// MaxChoiceID bounds Choice.ID: Telegram's callback_data is 1–64 bytes.
const MaxChoiceID = 64

// DoneChoice is the ID of the choice that ends a multi-select: in a Multi
// reply the choices before it are the toggles, so a frontend can draw them
// as a menu.
const DoneChoice = choiceDone

// Choice IDs shared by every step.
const (
	choiceBack   = "back"
	choiceCancel = "cancel"
	choiceDone   = "done"
	choiceSkip   = "skip"
)
