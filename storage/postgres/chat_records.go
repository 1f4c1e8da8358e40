package postgres

import (
	"context"
	"fmt"

	"github.com/heraldbot/herald/storage"
	"github.com/jackc/pgx/v5"
)

// chatRecords is one kind of what the admin chats keep by key across a
// restart (storage.RecordKind), in the chat_records table.
type chatRecords struct {
	s    *Store
	kind storage.RecordKind
}

// ProgressMessages keeps where runs' progress messages are
// (storage.ProgressMessageRecords).
func (s *Store) ProgressMessages() storage.Records {
	return chatRecords{s, storage.ProgressMessageRecords}
}

// ReportFollowUps keeps the reports still to be updated
// (storage.ReportFollowUpRecords).
func (s *Store) ReportFollowUps() storage.Records {
	return chatRecords{s, storage.ReportFollowUpRecords}
}

// PutApprovalCards stores the approval requests posted for a broadcast.
func (s *Store) PutApprovalCards(broadcastID string, data []byte) error {
	return chatRecords{s, storage.ApprovalCardRecords}.put("save approval cards", broadcastID, data)
}

// ApprovalCards returns what PutApprovalCards stored, or herald.ErrNotFound.
func (s *Store) ApprovalCards(broadcastID string) ([]byte, error) {
	var data []byte
	err := s.queryRow("read approval cards", storage.ApprovalCardRecords.What+" of "+broadcastID,
		`SELECT data FROM chat_records WHERE kind = $1 AND key = $2`, []any{storage.ApprovalCardRecords.Name, broadcastID}, &data)
	return data, err
}

// DeleteApprovalCards forgets a broadcast's approval requests (none is not
// an error).
func (s *Store) DeleteApprovalCards(broadcastID string) error {
	return chatRecords{s, storage.ApprovalCardRecords}.delete("delete approval cards", broadcastID)
}

// Put stores the record under key.
func (r chatRecords) Put(key string, data []byte) error {
	return r.put("save "+r.kind.What+" of "+key, key, data)
}

// All returns every stored record, by key.
func (r chatRecords) All() (map[string][]byte, error) {
	out := map[string][]byte{}
	rows, err := r.s.pool.Query(context.Background(), `SELECT key, data FROM chat_records WHERE kind = $1`, r.kind.Name)
	if err != nil {
		return nil, fmt.Errorf("storage: read %ss: %w", r.kind.What, err)
	}
	var key string
	var data []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &data}, func() error {
		out[key] = data
		data = nil // the next row scans into a slice of its own
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("storage: read %ss: %w", r.kind.What, err)
	}
	return out, nil
}

// Delete forgets the record under key (none is not an error).
func (r chatRecords) Delete(key string) error {
	return r.delete("delete "+r.kind.What+" of "+key, key)
}

func (r chatRecords) put(what, key string, data []byte) error {
	return r.s.exec(what, `INSERT INTO chat_records (kind, key, data) VALUES ($1, $2, $3)
		ON CONFLICT (kind, key) DO UPDATE SET data = excluded.data`, r.kind.Name, key, orEmpty(data))
}

func (r chatRecords) delete(what, key string) error {
	return r.s.exec(what, `DELETE FROM chat_records WHERE kind = $1 AND key = $2`, r.kind.Name, key)
}
