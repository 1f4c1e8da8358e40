package storagetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
	"github.com/heraldbot/herald/storage/internal/crowd"
)

func sessionsAdminsAndMedia(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	if err := s.PutSession("slack:C1:U1", []byte(`{"step":"first"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession("slack:C1:U1", []byte(`{"step":"name"}`)); err != nil {
		t.Fatal(err)
	}
	admin := herald.Admin{Key: "telegram:42", Name: "Mei", Locale: "zh-TW", Timezone: "Asia/Taipei",
		TestRecipients: []herald.SubscriberKey{{Platform: herald.LINE, ID: "U1"}}}
	if err := s.SaveAdmin(admin); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAdmin(herald.Admin{Name: "nobody"}); err == nil {
		t.Error("an admin without a key was saved")
	}
	img := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 5000)
	id, err := s.PutMedia("image/png", img)
	if err != nil || len(id) != storage.MediaIDLen {
		t.Fatalf("PutMedia = %q, %v", id, err)
	}
	id2, _ := s.PutMedia("image/jpeg", nil)
	if id2 == id {
		t.Error("two uploads got one ID")
	}
	s = o.Reopen(t, s, nil)
	if got, err := s.Session("slack:C1:U1"); err != nil || string(got) != `{"step":"name"}` {
		t.Errorf("Session = %q, %v", got, err)
	}
	// Any bytes make a key, as bbolt takes them (a NUL included).
	if err := s.PutSession("healthz\x00probe", []byte("x")); err != nil {
		t.Fatalf("PutSession with a NUL in its key: %v", err)
	}
	if got, err := s.Session("healthz\x00probe"); err != nil || string(got) != "x" {
		t.Errorf("Session with a NUL in its key = %q, %v", got, err)
	}
	if got, err := s.Admin(admin.Key); err != nil || !cmp.Equal(got, admin) {
		t.Errorf("Admin = %+v, %v", got, err)
	}
	if _, err := s.Admin("telegram:7"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("unknown admin: %v", err)
	}
	if ct, data, err := s.Media(id); err != nil || ct != "image/png" || !bytes.Equal(data, img) {
		t.Errorf("Media = %q, %d bytes, %v", ct, len(data), err)
	}
	if ct, data, err := s.Media(id2); err != nil || ct != "image/jpeg" || len(data) != 0 {
		t.Errorf("empty Media = %q, %d bytes, %v", ct, len(data), err)
	}
	if _, _, err := s.Media("nosuchmedia"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("unknown media: %v", err)
	}
	if err := s.DeleteSession("slack:C1:U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session("slack:C1:U1"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
	if err := s.DeleteSession("slack:C1:U1"); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
}

func auditLogNewestFirst(t *testing.T, o Opener) {
	c := crowd.Clock()
	s := o.Open(t, c.Now)
	for i := range 30 {
		c.Add(time.Second)
		target := []string{"B-AAAA", "B-AAAAB", ""}[i%3]
		if err := s.Audit(herald.AuditEntry{Actor: "slack:U1", Action: fmt.Sprintf("step.%d", i), Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC) // a caller's own time is kept to the nanosecond
	if err := s.Audit(herald.AuditEntry{At: at, Actor: "system", Action: "old", Target: "B-OLD", Detail: "from an import"}); err != nil {
		t.Fatal(err)
	}
	all, _ := s.AuditLog("", 0)
	if len(all) != 31 || all[1].Action != "step.29" || all[30].Action != "step.0" || !all[1].At.Equal(c.Now()) {
		t.Fatalf("whole log: %d entries, first %+v", len(all), all[0])
	}
	if want := (herald.AuditEntry{At: at, Actor: "system", Action: "old", Target: "B-OLD", Detail: "from an import"}); !cmp.Equal(all[0], want) {
		t.Errorf("newest = %+v, want %+v", all[0], want)
	}
	some, _ := s.AuditLog("B-AAAA", 3)
	var got []string
	for _, e := range some {
		got = append(got, e.Action)
	}
	if want := []string{"step.27", "step.24", "step.21"}; !cmp.Equal(got, want) {
		t.Errorf("B-AAAA: %v, want %v (B-AAAAB is another broadcast)", got, want)
	}
	other, _ := s.AuditLog("B-AAAAB", 0)
	if len(other) != 10 || other[9].Action != "step.1" {
		t.Errorf("B-AAAAB: %d entries", len(other))
	}
	if none, err := s.AuditLog("B-ZZZZ", 5); err != nil || len(none) != 0 {
		t.Errorf("unknown target: %v, %v", none, err)
	}
}

// Approval cards, progress messages and report follow-ups are kept by key,
// each kind apart, across a restart.
func chatRecordsByKind(t *testing.T, o Opener) {
	s := o.Open(t, nil)
	if _, err := s.ApprovalCards("B-AAAA"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("no cards yet: %v", err)
	}
	if all, err := s.ProgressMessages().All(); err != nil || len(all) != 0 {
		t.Errorf("no progress messages yet: %v, %v", all, err)
	}
	if err := s.PutApprovalCards("B-AAAA", []byte("cards")); err != nil {
		t.Fatal(err)
	}
	if err := s.ProgressMessages().Put("B-AAAA/1", []byte("p1")); err != nil {
		t.Fatal(err)
	}
	if err := s.ProgressMessages().Put("B-AAAA/2", []byte("p2")); err != nil {
		t.Fatal(err)
	}
	if err := s.ProgressMessages().Put("B-AAAA/2", []byte("p2 edited")); err != nil {
		t.Fatal(err)
	}
	if err := s.ReportFollowUps().Put("B-AAAA/1", []byte("f1")); err != nil {
		t.Fatal(err)
	}
	s = o.Reopen(t, s, nil)
	if got, err := s.ApprovalCards("B-AAAA"); err != nil || string(got) != "cards" {
		t.Errorf("ApprovalCards = %q, %v", got, err)
	}
	want := map[string][]byte{"B-AAAA/1": []byte("p1"), "B-AAAA/2": []byte("p2 edited")}
	if got, err := s.ProgressMessages().All(); err != nil || !cmp.Equal(got, want) {
		t.Errorf("progress messages = %q, %v; want %q", got, err, want)
	}
	if err := s.ProgressMessages().Delete("B-AAAA/1"); err != nil {
		t.Fatal(err)
	}
	if err := s.ProgressMessages().Delete("B-NONE/1"); err != nil {
		t.Errorf("deleting a missing record: %v", err)
	}
	if got, _ := s.ProgressMessages().All(); len(got) != 1 {
		t.Errorf("after delete: %q", got)
	}
	if got, _ := s.ReportFollowUps().All(); !cmp.Equal(got, map[string][]byte{"B-AAAA/1": []byte("f1")}) {
		t.Errorf("follow-ups = %q: another kind's delete touched them", got)
	}
	if err := s.DeleteApprovalCards("B-AAAA"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ApprovalCards("B-AAAA"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deleted cards: %v", err)
	}
	if err := s.DeleteApprovalCards("B-AAAA"); err != nil {
		t.Errorf("deleting deleted cards: %v", err)
	}
}
