package herald

// Admin is what Herald remembers about one member of staff across chats.
type Admin struct {
	// Key is "frontend:user", e.g. "slack:U0123" or "telegram:4242".
	Key      string
	Name     string
	Locale   string // the language they chose with /lang
	Timezone string // shown dates and times use it; empty: the bot's
	// TestRecipients get "Send test to me" previews, one per channel.
	TestRecipients []SubscriberKey
}
