package storage

// ChatRecords is one bucket of what the admin chats keep across a restart
// about messages they will edit later: opaque bytes by key (adminchat's
// records), in a bucket made on first use.
type ChatRecords struct {
	s      *Store
	bucket []byte
	what   string // one record, in errors: "progress message"
}

// ProgressMessages keeps where runs' progress messages are
// (ProgressMessageRecords).
func (s *Store) ProgressMessages() Records { return s.chatRecordsOf(ProgressMessageRecords) }

// ReportFollowUps keeps the reports still to be updated
// (ReportFollowUpRecords).
func (s *Store) ReportFollowUps() Records { return s.chatRecordsOf(ReportFollowUpRecords) }

func (s *Store) chatRecordsOf(k RecordKind) ChatRecords {
	return ChatRecords{s: s, bucket: []byte(k.Name), what: k.What}
}

// Put stores the record under key.
func (r ChatRecords) Put(key string, data []byte) error {
	return r.s.putChatRecord(r.bucket, "save "+r.what+" of "+key, key, data)
}

// All returns every stored record, by key.
func (r ChatRecords) All() (map[string][]byte, error) {
	return r.s.chatRecords(r.bucket, "read "+r.what+"s")
}

// Delete forgets the record under key (none is not an error).
func (r ChatRecords) Delete(key string) error {
	return r.s.deleteChatRecord(r.bucket, "delete "+r.what+" of "+key, key)
}
