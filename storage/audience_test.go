package storage

import (
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/heraldbot/herald"
)

// seedAudience stores 3,000 subscribers: every third on Telegram, tag
// "vip" on every fifth, "tw" on every second, and every seventh blocked.
func seedAudience(t *testing.T, s *Store) {
	t.Helper()
	var batch []herald.Subscriber
	for i := 1; i <= 3000; i++ {
		p := herald.LINE
		if i%3 == 0 {
			p = herald.Telegram
		}
		var tags []string
		if i%5 == 0 {
			tags = append(tags, "vip")
		}
		if i%2 == 0 {
			tags = append(tags, "tw")
		}
		sub := user(p, i, tags...)
		if i%7 == 0 {
			sub.State = herald.Blocked
		}
		batch = append(batch, sub)
	}
	if err := s.PutSubscribers(batch); err != nil {
		t.Fatal(err)
	}
}

// brute counts what EachSubscriber says matches: the reference answer.
func brute(t *testing.T, s *Store, a *herald.Audience, now time.Time) []uint32 {
	var seqs []uint32
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error {
		if a.Matches(sub, now) {
			seqs = append(seqs, sub.Seq)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return seqs
}

func TestAudienceAnswersMatchTheRecords(t *testing.T) {
	s, c := openTest(t)
	seedAudience(t, s)
	now := c.Now()
	audiences := map[string]*herald.Audience{
		"everyone":       {Channels: []herald.Platform{herald.LINE, herald.Telegram}},
		"line vip":       {Channels: []herald.Platform{herald.LINE}, IncludeTags: []string{"vip"}},
		"vip not tw":     {Channels: []herald.Platform{herald.LINE, herald.Telegram}, IncludeTags: []string{"vip"}, ExcludeTags: []string{"tw"}},
		"all of vip+tw":  {Channels: []herald.Platform{herald.Telegram}, IncludeTags: []string{"vip", "tw"}, TagMatch: herald.AllTags},
		"nobody matches": {Channels: []herald.Platform{herald.Messenger}},
	}
	check := func(s *Store, when string) {
		for name, a := range audiences {
			want := brute(t, s, a, now)
			cnt, err := s.Count(a, herald.Marketing, now)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint32
			var prev *herald.Subscriber
			err = s.EachRecipient(a, now, func(sub *herald.Subscriber) error {
				if prev != nil && prev != sub {
					t.Fatal("EachRecipient does not reuse its value")
				}
				prev = sub
				got = append(got, sub.Seq)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if cnt.Total != len(want) || !cmp.Equal(got, want) {
				t.Errorf("%s, %s: count %d, streamed %d, records say %d", when, name, cnt.Total, len(got), len(want))
			}
		}
	}
	check(s, "fresh")

	// Writes move the index with them: block some, untag others, delete one.
	keys := []herald.SubscriberKey{key(herald.LINE, 10), key(herald.Telegram, 15), key(herald.LINE, 20)}
	if err := s.UpdateSubscribers(keys, func(i int, sub *herald.Subscriber, _ bool) error {
		switch i {
		case 0:
			sub.State = herald.Blocked
		case 1:
			sub.RemoveTags("vip")
		case 2:
			sub.AddTags("brand-new")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSubscriber(key(herald.LINE, 25)); err != nil {
		t.Fatal(err)
	}
	check(s, "after writes")
	s = reopen(t, s, c)
	check(s, "after reopen")

	tags := s.Tags()
	if len(tags) != 3 || tags[0].Tag != "tw" || tags[1].Tag != "vip" || tags[2] != (herald.TagCount{Tag: "brand-new", Count: 1}) {
		t.Errorf("Tags = %+v, want tw, vip, brand-new by count", tags)
	}
}

func TestEachRecipientStopsOnError(t *testing.T) {
	s, c := openTest(t)
	seedAudience(t, s)
	stop := errors.New("stop")
	n := 0
	err := s.EachRecipient(&herald.Audience{Channels: []herald.Platform{herald.LINE}}, c.Now(), func(*herald.Subscriber) error {
		n++
		if n == 1500 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 1500 {
		t.Errorf("err %v after %d", err, n)
	}
}

// TestIndexRebuiltAfterKill writes subscribers in a child process that is
// killed without closing the store; the next Open counts them exactly.
func TestIndexRebuiltAfterKill(t *testing.T) {
	if os.Getenv("HERALD_STORAGE_CHILD") != "" {
		s, err := Open(os.Getenv("HERALD_STORAGE_CHILD"), Options{})
		if err != nil {
			os.Exit(3)
		}
		seedAudience(t, s)
		os.Exit(0) // no Close: as good as a crash for bbolt
	}
	path := t.TempDir() + "/crash.db"
	cmd := exec.Command(os.Args[0], "-test.run=^TestIndexRebuiltAfterKill$")
	cmd.Env = append(os.Environ(), "HERALD_STORAGE_CHILD="+path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a := &herald.Audience{Channels: []herald.Platform{herald.LINE, herald.Telegram}, IncludeTags: []string{"vip"}}
	now := time.Now()
	cnt, err := s.Count(a, herald.Marketing, now)
	if want := len(brute(t, s, a, now)); err != nil || cnt.Total != want || want == 0 {
		t.Errorf("count after crash = %d (%v), records say %d", cnt.Total, err, want)
	}
}

// A sample streams the same people before and after a restart (the index
// is rebuilt from the records): a run resumed after a crash picks whom it
// picked before, and a cap takes exactly its N.
func TestSampleStreamsTheSamePeopleAfterReopen(t *testing.T) {
	s, c := openTest(t)
	seedAudience(t, s)
	stream := func(a *herald.Audience) []string {
		t.Helper()
		var out []string
		if err := s.EachRecipient(a, c.Now(), func(sub *herald.Subscriber) error {
			out = append(out, sub.Key().String())
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := []herald.Platform{herald.LINE, herald.Telegram}
	capped := &herald.Audience{Channels: all, Recipients: herald.Users, Sample: &herald.Sample{Max: 100, Seed: 5}}
	tenth := &herald.Audience{Channels: all, Recipients: herald.Users, Sample: &herald.Sample{Percent: 10, Seed: 5}}
	beforeCap, beforeTenth := stream(capped), stream(tenth)
	if len(beforeCap) != 100 || len(beforeTenth) < 200 || len(beforeTenth) > 320 {
		t.Fatalf("cap streamed %d (want 100), 10%% streamed %d of about 2,570", len(beforeCap), len(beforeTenth))
	}
	s = reopen(t, s, c)
	if diff := cmp.Diff(beforeCap, stream(capped)); diff != "" {
		t.Errorf("the cap picked others after a reopen (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(beforeTenth, stream(tenth)); diff != "" {
		t.Errorf("the 10%% picked others after a reopen (-before +after):\n%s", diff)
	}
}
