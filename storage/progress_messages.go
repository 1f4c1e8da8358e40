package storage

// bucketProgressMessages keeps, by run ID, where a run's progress message
// is in its admin chat (opaque here: adminchat's record), so that after a
// restart the run edits that message instead of posting a second one, and
// a run that ended just before a crash still shows its end.
var bucketProgressMessages = []byte("progress_messages")

// PutProgressMessage stores a run's progress message record.
func (s *Store) PutProgressMessage(runID string, data []byte) error {
	return s.putChatRecord(bucketProgressMessages, "save progress message of "+runID, runID, data)
}

// ProgressMessages returns every stored progress message record, by run ID.
func (s *Store) ProgressMessages() (map[string][]byte, error) {
	return s.chatRecords(bucketProgressMessages, "read progress messages")
}

// DeleteProgressMessage forgets a run's progress message (none is not an
// error).
func (s *Store) DeleteProgressMessage(runID string) error {
	return s.deleteChatRecord(bucketProgressMessages, "delete progress message of "+runID, runID)
}
