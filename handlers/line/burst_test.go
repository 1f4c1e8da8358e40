package line

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/heraldbot/herald"
)

// TestTenThousandFollowsNoneLost posts 10,000 signed follow webhooks at
// once (200 connections at a time, as LINE's servers would) and checks that
// every acknowledged follow is a subscriber. Under -race it posts 2,000:
// the detector makes the full burst take over a minute (the inbound
// package's burst test keeps 10,000 events under -race).
func TestTenThousandFollowsNoneLost(t *testing.T) {
	if testing.Short() {
		t.Skip("burst test")
	}
	r := newRig(t)
	follow := sdkEvents(t)["follow"][0]
	n, conns := burstFollows, 200
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns}}
	var acked, refused atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for i := range work {
				body := webhookBody(withField(t, follow, []string{"source", "userId"}, fmt.Sprintf("U%032d", i)))
				req, _ := http.NewRequest(http.MethodPost, r.URL, bytesReader(body))
				req.Header.Set("X-Line-Signature", sign(body))
				resp, err := client.Do(req)
				if err != nil {
					refused.Add(1)
					continue
				}
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					acked.Add(1)
				} else {
					refused.Add(1)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	r.Settle(t)
	c, err := r.Store.Count(&herald.Audience{Channels: []herald.Platform{herald.LINE}, Recipients: herald.Users}, herald.Marketing, sdkTime)
	if err != nil {
		t.Fatal(err)
	}
	if int64(c.Total) != acked.Load() || acked.Load() != int64(n) {
		t.Fatalf("%d follows acknowledged (%d refused), %d subscribers stored: want all %d", acked.Load(), refused.Load(), c.Total, n)
	}
}
