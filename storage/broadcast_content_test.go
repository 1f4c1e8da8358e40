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

// A broadcast stored before samples existed has none; one stored with a
// sample keeps it, seed included, across a reopen.
func TestBroadcastSampleStoredWithItsSeed(t *testing.T) {
	s, c := openTest(t)
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
	nb := herald.Broadcast{Name: "Sampled", Audience: herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users,
		Sample: &herald.Sample{HoldoutPercent: 5, Seed: herald.MaxSampleSeed}}}
	if err := s.CreateBroadcast(&nb); err != nil {
		t.Fatal(err)
	}
	s = reopen(t, s, c)
	got, err := s.Broadcast(nb.ID)
	if err != nil || got.Audience.Sample == nil || *got.Audience.Sample != *nb.Audience.Sample {
		t.Errorf("stored sample came back as %+v (%v), want %+v", got.Audience.Sample, err, nb.Audience.Sample)
	}
}
