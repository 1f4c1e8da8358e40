package herald

// Category decides Messenger's rules for a broadcast: marketing messages may
// only reach people inside the 24-hour window; non-marketing messages carry a
// message tag and may go outside it.
type Category string

// Categories.
const (
	Marketing    Category = "marketing"
	NonMarketing Category = "non_marketing"
)

// MessageTag is a Messenger message tag allowed for non-marketing messages.
type MessageTag string

// The message tags Messenger accepts for messages outside the window.
const (
	TagConfirmedEventUpdate MessageTag = "CONFIRMED_EVENT_UPDATE"
	TagPostPurchaseUpdate   MessageTag = "POST_PURCHASE_UPDATE"
	TagAccountUpdate        MessageTag = "ACCOUNT_UPDATE"
	TagHumanAgent           MessageTag = "HUMAN_AGENT"
)

// MessageTags lists the allowed tags in the order the wizard offers them.
var MessageTags = []MessageTag{TagConfirmedEventUpdate, TagPostPurchaseUpdate, TagAccountUpdate, TagHumanAgent}

// Valid reports whether t is an allowed tag.
func (t MessageTag) Valid() bool {
	for _, v := range MessageTags {
		if t == v {
			return true
		}
	}
	return false
}
