package storage

// bucketReportFollowUps keeps, by run ID, the reports still to be updated
// with later taps and clicks (opaque here: adminchat's record), so the
// updates at 1 h and 24 h after a run happen even across a restart.
var bucketReportFollowUps = []byte("report_followups")

// PutReportFollowUp stores a report's follow-up record.
func (s *Store) PutReportFollowUp(runID string, data []byte) error {
	return s.putChatRecord(bucketReportFollowUps, "save report follow-up of "+runID, runID, data)
}

// ReportFollowUps returns every stored report follow-up record, by run ID.
func (s *Store) ReportFollowUps() (map[string][]byte, error) {
	return s.chatRecords(bucketReportFollowUps, "read report follow-ups")
}

// DeleteReportFollowUp forgets a report's follow-up (none is not an error).
func (s *Store) DeleteReportFollowUp(runID string) error {
	return s.deleteChatRecord(bucketReportFollowUps, "delete report follow-up of "+runID, runID)
}
