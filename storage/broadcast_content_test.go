package storage

import (
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A broadcast stored before formatting and carousels existed (its JSON has
// no Spans, Cards or Button.Card) loads as plain content that validates
// (one stored now keeps them: storagetest's contract).
func TestBroadcastContentFromBeforeFormattingLoads(t *testing.T) {
	s, _ := openTest(t)
	old := `{"ID":"B-OLD1","Name":"Old","Status":"draft","Content":{"Kind":"card","Text":"Hi {name|there}","Title":"Menu",` +
		`"Images":[{"URL":"https://img.example/a.jpg","MediaID":""}],"Buttons":[{"ID":"b1","Label":"Go","Kind":"url","URL":"https://x.example"}]}}`
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBroadcasts).Put([]byte("B-OLD1"), []byte(old))
	}); err != nil {
		t.Fatal(err)
	}
	b, err := s.Broadcast("B-OLD1")
	if err != nil {
		t.Fatal(err)
	}
	if b.Content.Spans != nil || b.Content.Cards != nil || b.Content.Buttons[0].Card != 0 || b.Content.Validate() != nil {
		t.Errorf("old content = %+v, %v", b.Content, b.Content.Validate())
	}
}

// A broadcast stored before samples existed has none (one stored with a
// sample keeps it: storagetest's contract).
func TestBroadcastFromBeforeSamplesLoads(t *testing.T) {
	s, _ := openTest(t)
	old := `{"ID":"B-OLD2","Name":"Old","Status":"draft","Audience":{"Channels":["line"],"Recipients":"users","TagMatch":"any"}}`
	if err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBroadcasts).Put([]byte("B-OLD2"), []byte(old))
	}); err != nil {
		t.Fatal(err)
	}
	b, err := s.Broadcast("B-OLD2")
	if err != nil || b.Audience.Sample != nil || b.Audience.Validate() != nil {
		t.Fatalf("old broadcast: %+v, %v", b.Audience, err)
	}
}
