package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/storage/pgtest"
	"github.com/jackc/pgx/v5"
)

// Two transactions that wrote one subscriber one after the other may
// reach the index in the other order (the first one's goroutine is slow
// between its commit and apply): the later change waits for the earlier.
func TestApplyWaitsForTheChangeItFollows(t *testing.T) {
	s := &Store{}
	s.subscribers.idx.Store(audience.NewIndex())
	s.subscribers.ver, s.subscribers.parked = map[uint32]*versionPage{}, map[uint32][]change{}
	v1 := &herald.Subscriber{Seq: 7, Platform: herald.LINE, ID: "U7", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"a"}}
	v2 := &herald.Subscriber{Seq: 7, Platform: herald.LINE, ID: "U7", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"b"}}
	v3 := &herald.Subscriber{Seq: 7, Platform: herald.LINE, ID: "U7", Kind: herald.KindUser, State: herald.Subscribed, Tags: []string{"c"}}
	s.apply([]change{{seq: 7, from: 2, to: 3, old: v2, new: v3}})
	s.apply([]change{{seq: 7, from: 1, to: 2, old: v1, new: v2}})
	if n := s.index().Len(); n != 0 {
		t.Fatalf("the index applied changes before the one they follow: %d indexed", n)
	}
	s.apply([]change{{seq: 7, from: 0, to: 1, new: v1}})
	if n, tags := s.index().Len(), s.index().TagCounts(); n != 1 || tags["a"] != 0 || tags["b"] != 0 || tags["c"] != 1 || len(s.subscribers.parked) != 0 {
		t.Errorf("after all three: %d indexed, tags %v, %d parked; want the last state only", n, tags, len(s.subscribers.parked))
	}
}

// Another part's transaction writes subscribers through
// updateSubscribersTx: what it saved reaches the index through apply
// after the commit; a rollback leaves the records and the index as they
// were, and the next write of the same subscriber is indexed.
func TestUpdateSubscribersInsideAnotherTransaction(t *testing.T) {
	s, err := Open(context.Background(), pgtest.URL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := herald.SubscriberKey{Platform: herald.LINE, ID: "U1"}
	tag := func(tag string) func(int, *herald.Subscriber, bool) error {
		return func(_ int, sub *herald.Subscriber, _ bool) error {
			sub.Kind = herald.KindUser
			sub.SetTags([]string{tag})
			return nil
		}
	}
	write := func(tagName string, fail error) (apply func(), err error) {
		err = s.write("test", func(ctx context.Context, tx pgx.Tx) error {
			var err error
			if apply, err = s.updateSubscribersTx(ctx, tx, []herald.SubscriberKey{key}, tag(tagName)); err != nil {
				return err
			}
			return fail
		})
		return apply, err
	}
	apply, err := write("first", nil)
	if err != nil {
		t.Fatal(err)
	}
	apply()
	boom := errors.New("boom")
	if _, err := write("rolled-back", boom); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if sub, _ := s.Subscriber(key); !sub.HasTag("first") {
		t.Errorf("the rolled-back write stayed: %+v", sub)
	}
	if apply, err = write("second", nil); err != nil {
		t.Fatal(err)
	}
	apply()
	a := &herald.Audience{Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"second"}}
	if n, _ := s.Count(a, herald.Marketing, time.Now()); n.Total != 1 || s.index().TagCounts()["first"] != 0 {
		t.Errorf("index after commit, rollback, commit: %d tagged second, tags %v", n.Total, s.index().TagCounts())
	}
}
