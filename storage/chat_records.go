package storage

// ChatRecords is one bucket of what the admin chats keep across a restart
// about messages they will edit later: opaque bytes by key (adminchat's
// records), in a bucket made on first use.
type ChatRecords struct {
	s      *Store
	bucket []byte
	what   string // one record, in errors: "progress message"
}

// ProgressMessages keeps, by run ID, where a run's progress message is in
// its admin chat, so that after a restart the run edits that message
// instead of posting a second one, and a run that ended just before a
// crash still shows its end.
func (s *Store) ProgressMessages() Records {
	return ChatRecords{s: s, bucket: []byte("progress_messages"), what: "progress message"}
}

// ReportFollowUps keeps, by run ID, the reports still to be updated with
// later taps and clicks, so the updates at 1 h and 24 h after a run happen
// even across a restart.
func (s *Store) ReportFollowUps() Records {
	return ChatRecords{s: s, bucket: []byte("report_followups"), what: "report follow-up"}
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
