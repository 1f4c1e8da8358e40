package storage

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience"
	"github.com/heraldbot/herald/audience/audiencetest"
)

// BenchmarkOpen1M times Open of a file with 1,000,000 subscribers, which
// rebuilds the audience index (one op = one Open). The baseline measured in
// the same run is the plain rebuild: EachSubscriber into Index.Put, one
// subscriber at a time. Setup writes the million first: run with
// -benchtime=1x or a little more.
func BenchmarkOpen1M(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	// The data shape: channels, skewed tags, attributes, a year of activity.
	if err := audiencetest.Load(s.PutSubscribers, n, 10_000, 1, now); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu := cpuSeconds()
	for b.Loop() {
		s, err := Open(path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if got := s.index.Len(); got == 0 || got > n {
			b.Fatalf("index holds %d of %d", got, n)
		}
		_ = s.Close()
	}
	openWall, openCPU := b.Elapsed().Seconds()/float64(b.N), (cpuSeconds()-cpu)/float64(b.N)
	b.StopTimer()

	s, err = Open(path, Options{ReadOnly: true}) // read-only: no index built
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	start, cpu := time.Now(), cpuSeconds()
	x := audience.NewIndex()
	if err := s.EachSubscriber(func(sub *herald.Subscriber) error { x.Put(nil, sub); return nil }); err != nil {
		b.Fatal(err)
	}
	baseWall, baseCPU := time.Since(start).Seconds(), cpuSeconds()-cpu
	b.ReportMetric(openWall, "open_s")
	b.ReportMetric(openCPU, "open_cpu_s")
	b.ReportMetric(baseWall, "put_rebuild_s")
	b.ReportMetric(baseCPU, "put_rebuild_cpu_s")
	b.ReportMetric(baseCPU/openCPU, "x_faster_cpu")
}

// BenchmarkDecodeSubscriberReused is the decode the index rebuild and
// EachSubscriber use: into a reused value, from a record already held as a
// string (BenchmarkDecodeSubscriber is the one-off form, in the same run).
func BenchmarkDecodeSubscriberReused(b *testing.B) {
	sub := synthetic(12345)
	sub.Attributes = map[string]string{"plan": "pro", "city": "Taipei"}
	raw := string(AppendSubscriber(nil, &sub))
	var out herald.Subscriber
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeSubscriberString(1, raw, &out, true); err != nil {
			b.Fatal(err)
		}
	}
}
