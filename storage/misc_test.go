package storage

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

func TestSessionsAdminsAndMediaRoundTrip(t *testing.T) {
	s, c := openTest(t)
	if err := s.PutSession("slack:C1:U1", []byte(`{"step":"name"}`)); err != nil {
		t.Fatal(err)
	}
	admin := herald.Admin{Key: "telegram:42", Name: "Mei", Locale: "zh-TW", Timezone: "Asia/Taipei",
		TestRecipients: []herald.SubscriberKey{{Platform: herald.LINE, ID: "U1"}}}
	if err := s.SaveAdmin(admin); err != nil {
		t.Fatal(err)
	}
	img := bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 5000)
	id, err := s.PutMedia("image/png", img)
	if err != nil || len(id) != mediaIDLen {
		t.Fatalf("PutMedia = %q, %v", id, err)
	}
	id2, _ := s.PutMedia("image/jpeg", nil)
	if id2 == id {
		t.Error("two uploads got one ID")
	}
	s = reopen(t, s, c)
	if got, err := s.Session("slack:C1:U1"); err != nil || string(got) != `{"step":"name"}` {
		t.Errorf("Session = %q, %v", got, err)
	}
	if got, err := s.Admin(admin.Key); err != nil || !cmp.Equal(got, admin) {
		t.Errorf("Admin = %+v, %v", got, err)
	}
	if ct, data, err := s.Media(id); err != nil || ct != "image/png" || !bytes.Equal(data, img) {
		t.Errorf("Media = %q, %d bytes, %v", ct, len(data), err)
	}
	if ct, data, err := s.Media(id2); err != nil || ct != "image/jpeg" || len(data) != 0 {
		t.Errorf("empty Media = %q, %d bytes, %v", ct, len(data), err)
	}
	if err := s.DeleteSession("slack:C1:U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session("slack:C1:U1"); !errors.Is(err, herald.ErrNotFound) {
		t.Errorf("deleted session: %v", err)
	}
}

func TestAuditLogNewestFirstByTarget(t *testing.T) {
	s, c := openTest(t)
	for i := range 30 {
		c.Add(time.Second)
		target := []string{"B-AAAA", "B-AAAAB", ""}[i%3]
		if err := s.Audit(herald.AuditEntry{Actor: "slack:U1", Action: fmt.Sprintf("step.%d", i), Target: target}); err != nil {
			t.Fatal(err)
		}
	}
	all, _ := s.AuditLog("", 0)
	if len(all) != 30 || all[0].Action != "step.29" || all[29].Action != "step.0" || !all[0].At.Equal(c.Now()) {
		t.Fatalf("whole log: %d entries, first %+v", len(all), all[0])
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

func TestTapsCountPressesAndPeople(t *testing.T) {
	s, c := openTest(t)
	b := newBroadcast(t, s, "taps")
	u1, u2 := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}, herald.SubscriberKey{Platform: herald.Telegram, ID: "U1"}
	taps := []herald.Tap{{BroadcastID: b.ID, ButtonID: "b1", Subscriber: u1}, {BroadcastID: b.ID, ButtonID: "b1", Subscriber: u1},
		{BroadcastID: b.ID, ButtonID: "b1", Subscriber: u2}, {BroadcastID: b.ID, ButtonID: "b2", Subscriber: u2}}
	if err := s.RecordTaps(taps); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	if err := s.RecordTaps(taps[:1]); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Taps(b.ID)
	want := []herald.TapCount{{ButtonID: "b1", Taps: 4, Unique: 2}, {ButtonID: "b2", Taps: 1, Unique: 1}}
	if !cmp.Equal(got, want) {
		t.Errorf("Taps = %+v, want %+v", got, want)
	}
}
