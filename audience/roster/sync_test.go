package roster_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/roster"
	"github.com/heraldbot/herald/handlers/line"
	"github.com/heraldbot/herald/platformtest"
)

func lineFake(t *testing.T) (*platformtest.LINE, *line.Followers) {
	t.Helper()
	fake := platformtest.NewLINE(platformtest.NewRecorder(time.Now))
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	f, err := line.NewFollowers("token", srv.URL, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	return fake, f
}

// 2,500 followers take three pages of LINE's follower list; the two Herald
// knows stay as they are (one blocked the bot), the rest arrive with their
// profiles and marked imported.
func TestSyncLINEFollowers(t *testing.T) {
	fake, src := lineFake(t)
	var ids []string
	for i := range 2500 {
		ids = append(ids, fmt.Sprintf("U%032x", i))
	}
	fake.AddFollowers(ids...)
	fake.SetProfile(ids[7], "Mei", "zh-TW")
	s := openStore(t)
	importString(t, s, "platform,id,name\nline,"+ids[0]+",Known\nline,"+ids[1]+",Gone\n", "")
	if _, err := s.UpdateSubscriber(herald.SubscriberKey{Platform: herald.LINE, ID: ids[1]}, func(sub *herald.Subscriber, _ bool) error {
		sub.State = herald.Blocked
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rep, err := roster.Sync(context.Background(), s, herald.Account{Platform: herald.LINE}, src)
	if err != nil {
		t.Fatal(err)
	}
	if rep != (roster.SyncReport{Followers: 2500, Added: 2498, Known: 2}) {
		t.Errorf("report = %+v", rep)
	}
	mei, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: ids[7]})
	gone, _ := s.Subscriber(herald.SubscriberKey{Platform: herald.LINE, ID: ids[1]})
	if mei.Name != "Mei" || mei.Locale != "zh-TW" || !mei.Imported || !mei.LastInteraction.IsZero() || gone.State != herald.Blocked {
		t.Errorf("mei = %+v, gone = %+v", mei, gone)
	}
	again, err := roster.Sync(context.Background(), s, herald.Account{Platform: herald.LINE}, src)
	if err != nil || again.Added != 0 || again.Known != 2500 {
		t.Errorf("second sync = %+v, %v", again, err)
	}
}

func TestSyncRefusedForUnverifiedAccount(t *testing.T) {
	fake, src := lineFake(t)
	fake.AddFollowers("U1")
	fake.DenyFollowers()
	_, err := roster.Sync(context.Background(), openStore(t), herald.Account{Platform: herald.LINE}, src)
	if !errors.Is(err, herald.ErrForbidden) {
		t.Errorf("err = %v; want herald.ErrForbidden", err)
	}
}
