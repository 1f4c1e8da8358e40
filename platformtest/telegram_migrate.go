package platformtest

// Telegram upgrades a group to a supergroup (when it grows, or an admin
// turns on a supergroup feature) by creating a new chat with a new ID.
// From then on every method naming the old ID is refused with HTTP 400
// "Bad Request: group chat was upgraded to a supergroup chat" and
// ResponseParameters.migrate_to_chat_id set to the new ID; bots in the
// group get two service messages: one in the old chat carrying
// migrate_to_chat_id, one in the new chat carrying migrate_from_chat_id.

// errTgMigrated is the Bot API's answer for a group that became a
// supergroup.
func errTgMigrated(to int64) *tgError {
	return &tgError{status: 400, desc: "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: to}
}

// MigrateGroup turns group oldID into supergroup newID (a -100… ID): calls
// naming oldID are then refused with migrate_to_chat_id, and newID is a
// supergroup with the group's title. It queues no updates (a bot that was
// offline may never see them); MigrationUpdates returns them.
func (t *Telegram) MigrateGroup(oldID, newID int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	title := madeUpChat(oldID).Title
	if c := t.chats[oldID]; c != nil {
		title = c.Title
	}
	t.migrated[oldID] = newID
	t.chats[newID] = &TelegramChat{ID: newID, Type: "supergroup", Title: title}
	delete(t.gone, newID)
}

// MigrationUpdates are the two updates Telegram sends a bot in a group
// that became a supergroup, in the order it sends them: the service
// message in the old group (migrate_to_chat_id), then the one opening the
// supergroup (migrate_from_chat_id). by is the user who made the change.
// Push them with PushUpdate.
func (t *Telegram) MigrationUpdates(oldID, newID, by int64) []any {
	t.mu.Lock()
	title := madeUpChat(oldID).Title
	if c := t.chats[oldID]; c != nil {
		title = c.Title
	}
	t.mu.Unlock()
	now := t.rec.Now().Unix()
	from := map[string]any{"id": by, "is_bot": false, "first_name": "User"}
	return []any{
		map[string]any{"message": map[string]any{
			"message_id": 101, "from": from, "date": now,
			"chat":               map[string]any{"id": oldID, "type": "group", "title": title, "all_members_are_administrators": true},
			"migrate_to_chat_id": newID,
		}},
		map[string]any{"message": map[string]any{
			"message_id": 1, "from": from, "date": now,
			"chat":                 map[string]any{"id": newID, "type": "supergroup", "title": title},
			"migrate_from_chat_id": oldID,
		}},
	}
}
