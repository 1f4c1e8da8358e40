// Package audiencetest generates realistic synthetic subscribers for the
// audience benchmarks, the property tests and `herald bench audience`, so that
// every measurement runs on the same data shape.
package audiencetest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/heraldbot/herald"
)

// Tags are the synthetic tag names, most used first: tag popularity follows
// a Zipf law, as real tagging does (a few broad tags, a long tail).
var Tags = []string{
	"news", "promo", "coupon", "events", "vip", "beta", "sports", "food",
	"travel", "tech", "staff", "music", "kids", "pets", "fashion", "games",
	"books", "health", "finance", "cars",
}

// Cities are the values of the synthetic "city" attribute.
var Cities = []string{
	"Taipei", "Kaohsiung", "Taichung", "Tainan", "Hsinchu", "Keelung",
	"Tokyo", "Osaka", "Bangkok", "Jakarta", "Manila", "Seoul",
}

// Plans are the values of the synthetic "plan" attribute.
var Plans = []string{"free", "pro", "enterprise"}

// Generator makes deterministic synthetic subscribers: the same seed and now
// give the same subscribers, so a benchmark and a load tool compare like
// with like.
type Generator struct {
	rng  *rand.Rand
	zipf *rand.Zipf
	now  time.Time
	seq  uint32
}

// NewGenerator returns a generator of subscribers whose last interaction is
// spread over the year before now.
func NewGenerator(seed uint64, now time.Time) *Generator {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &Generator{rng: rng, zipf: rand.NewZipf(rng, 1.2, 2, uint64(len(Tags)-1)), now: now}
}

// Next fills s with the next subscriber (Seq 1, 2, …), reusing its slices
// and map where it can. Shape: LINE 50 %, Telegram 30 %, Messenger 20 %;
// 2 % group chats on LINE and Telegram; 8 % unsubscribed and 2 % blocked;
// 0–4 Zipf-skewed tags; 3 % never interacted, the rest uniformly over a
// year; plan on 80 %, city on 60 %, points (a number) on 50 %, signup (a
// date) on 40 %.
func (g *Generator) Next(s *herald.Subscriber) {
	g.seq++
	r := g.rng
	*s = herald.Subscriber{Seq: g.seq, Kind: herald.KindUser, State: herald.Subscribed,
		Tags: s.Tags[:0], Attributes: s.Attributes}
	switch p := r.IntN(10); {
	case p < 5:
		s.Platform, s.ID = herald.LINE, fmt.Sprintf("U%016x%016x", r.Uint64(), uint64(g.seq))
	case p < 8:
		s.Platform, s.ID = herald.Telegram, strconv.FormatUint(uint64(g.seq)*7919+100000000, 10)
	default:
		s.Platform, s.ID = herald.Messenger, strconv.FormatUint(uint64(g.seq)*104729+2000000000000000, 10)
	}
	if s.Platform != herald.Messenger && r.IntN(50) == 0 {
		s.Kind = herald.KindGroup
	}
	switch st := r.IntN(100); {
	case st < 8:
		s.State = herald.Unsubscribed
	case st < 10:
		s.State = herald.Blocked
	}
	for range r.IntN(5) {
		s.Tags = append(s.Tags, Tags[g.zipf.Uint64()])
	}
	s.SetTags(s.Tags)
	if r.IntN(100) >= 3 {
		s.LastInteraction = g.now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		s.FirstSeen = s.LastInteraction.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	} else {
		s.FirstSeen = g.now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
	}
	if s.Attributes == nil {
		s.Attributes = map[string]string{}
	}
	clear(s.Attributes)
	if r.IntN(10) < 8 {
		s.Attributes["plan"] = Plans[min(r.IntN(10)/4, 2)]
	}
	if r.IntN(10) < 6 {
		s.Attributes["city"] = Cities[r.IntN(len(Cities))]
	}
	if r.IntN(2) == 0 {
		s.Attributes["points"] = strconv.Itoa(r.IntN(5000))
	}
	if r.IntN(10) < 4 {
		s.Attributes["signup"] = g.now.AddDate(0, 0, -r.IntN(1000)).Format("2006-01-02")
	}
}

// Subscribers returns n fresh subscribers (each with its own slices).
func Subscribers(n int, seed uint64, now time.Time) []herald.Subscriber {
	g := NewGenerator(seed, now)
	out := make([]herald.Subscriber, n)
	for i := range out {
		g.Next(&out[i])
	}
	return out
}

// BenchAudience is the audience the speed targets are stated for: include
// tag A or B, exclude C, active in the last 30 days, users on every channel.
func BenchAudience() *herald.Audience {
	return &herald.Audience{
		Channels:    herald.Platforms,
		Recipients:  herald.Users,
		IncludeTags: []string{"promo", "vip"},
		TagMatch:    herald.AnyTag,
		ExcludeTags: []string{"staff"},
		Activity:    &herald.Activity{Op: herald.ActiveWithin, Period: 30 * 24 * time.Hour},
	}
}
