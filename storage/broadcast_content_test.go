package storage

import (
	"testing"

	"github.com/heraldbot/herald"
	bolt "go.etcd.io/bbolt"
)

// A broadcast stored before formatting and carousels existed (its JSON has
// no Spans, Cards or Button.Card) loads as plain content that validates;
// one stored now keeps its formatting and cards.
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
	text, spans := herald.ParseMarkup("*Two* cards", false)
	nb := herald.Broadcast{Name: "New", Content: herald.Content{Kind: herald.CarouselContent,
		Cards:   []herald.Card{{Title: "A", Text: text, Spans: spans}, {Title: "B"}},
		Buttons: []herald.Button{{ID: "b1", Label: "Go", Kind: herald.ActionButton, Card: 1}}}}
	if err := s.CreateBroadcast(&nb); err != nil {
		t.Fatal(err)
	}
	got, err := s.Broadcast(nb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if herald.Markup(got.Content.Cards[0].Text, got.Content.Cards[0].Spans) != "*Two* cards" || got.Content.Buttons[0].Card != 1 {
		t.Errorf("stored carousel came back as %+v", got.Content)
	}
}
