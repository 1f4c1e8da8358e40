package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldbot/herald"
)

// synthetic is a realistic subscriber: three channels, a skewed choice of
// 20 tags, a last interaction spread over a year.
func synthetic(i int) herald.Subscriber {
	p := herald.Platforms[i%3]
	var tags []string
	for t := range 20 {
		if (i*7+t*13)%(t+2) == 0 {
			tags = append(tags, fmt.Sprintf("tag%02d", t))
		}
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return herald.Subscriber{
		Platform: p, ID: fmt.Sprintf("U%032x", i), Kind: herald.KindUser, Name: fmt.Sprintf("Subscriber %d", i),
		Locale: "zh-TW", Timezone: "Asia/Taipei", Tags: tags, State: herald.Subscribed,
		FirstSeen: base.Add(-time.Duration(i%365) * 24 * time.Hour), LastInteraction: base.Add(-time.Duration(i*7919%31536000) * time.Second),
	}
}

func fill(b *testing.B, s *Store, n, batch int) {
	b.Helper()
	buf := make([]herald.Subscriber, 0, batch)
	for i := 1; i <= n; i++ {
		buf = append(buf, synthetic(i))
		if len(buf) == batch || i == n {
			if err := s.PutSubscribers(buf); err != nil {
				b.Fatal(err)
			}
			buf = buf[:0]
		}
	}
}

// putAll writes ready-made subscribers in batches.
func putAll(b *testing.B, s *Store, subs []herald.Subscriber, batch int) {
	b.Helper()
	for from := 0; from < len(subs); from += batch {
		if err := s.PutSubscribers(subs[from:min(from+batch, len(subs))]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutSubscribers upserts 100,000 subscribers into a fresh file,
// 1,000 or 10,000 per transaction (one op = all 100,000).
func BenchmarkPutSubscribers(b *testing.B) {
	for _, batchSize := range []int{1000, 10_000} {
		b.Run(fmt.Sprintf("batch=%d", batchSize), func(b *testing.B) { benchPut(b, batchSize) })
	}
}

func benchPut(b *testing.B, batchSize int) {
	const n = 100_000
	subs := make([]herald.Subscriber, n)
	for i := range subs {
		subs[i] = synthetic(i + 1)
	}
	for b.Loop() {
		b.StopTimer()
		s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		putAll(b, s, subs, batchSize)
		b.StopTimer()
		_ = s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "subscribers/s")
	values := make([][]byte, n)
	for i := range values {
		values[i] = AppendSubscriber(nil, &subs[i])
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/rawPutSeconds(b, values, batchSize), "x_raw_bbolt")
}

// BenchmarkRecordOutcomes records 100,000 delivery outcomes of one run,
// 1,000 or 10,000 per transaction (one op = all 100,000). as dispatch's group commit does.
func BenchmarkRecordOutcomes(b *testing.B) {
	const n, batch = 100_000, 1000
	s, err := Open(filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	bc := herald.Broadcast{Name: "bench"}
	if err := s.CreateBroadcast(&bc); err != nil {
		b.Fatal(err)
	}
	ds := make([]herald.Delivery, batch)
	for b.Loop() {
		b.StopTimer()
		r := herald.Run{BroadcastID: bc.ID}
		if err := s.CreateRun(&r); err != nil {
			b.Fatal(err)
		}
		for from := 1; from <= n; from += batch {
			for i := range ds {
				seq := uint32(from + i)
				ds[i] = herald.Delivery{Seq: seq, Recipient: herald.SubscriberKey{Platform: herald.Platforms[seq%3], ID: fmt.Sprintf("U%032x", seq)}, Outcome: herald.Pending}
			}
			if err := s.AddDeliveries(r.ID, ds); err != nil {
				b.Fatal(err)
			}
		}
		now := time.Now()
		b.StartTimer()
		for from := 1; from <= n; from += batch {
			for i := range ds {
				ds[i] = herald.Delivery{Seq: uint32(from + i), Outcome: herald.Sent, MessageID: "461230966842064897", Attempts: 1, At: now}
			}
			if err := s.RecordOutcomes(r.ID, ds); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "outcomes/s")
	values := make([][]byte, n)
	for i := range values {
		values[i] = appendDelivery(nil, &herald.Delivery{Outcome: herald.Sent, MessageID: "461230966842064897", Attempts: 1, At: time.Now()})
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)/rawPutSeconds(b, values, batch), "x_raw_bbolt")
}

// BenchmarkEachSubscriber streams 1,000,000 subscribers (one op = all of
// them) and reports the file's size and the time Open takes to rebuild the
// audience index from it. Setup writes the million first: run with
// -benchtime=1x.
func BenchmarkEachSubscriber(b *testing.B) {
	const n = 1_000_000
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	fill(b, s, n, 10_000)
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	start, cpu := time.Now(), cpuSeconds()
	s, err = Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	openSeconds, openCPU := time.Since(start).Seconds(), cpuSeconds()-cpu
	defer s.Close()
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu = cpuSeconds()
	for b.Loop() {
		count := 0
		if err := s.EachSubscriber(func(*herald.Subscriber) error { count++; return nil }); err != nil || count != n {
			b.Fatalf("streamed %d: %v", count, err)
		}
	}
	b.ReportMetric(float64(st.Size())/(1<<20)*(1e6/n), "MB/1M_subscribers")
	b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "stream_cpu_s")
	b.ReportMetric(openSeconds, "open_with_index_s")
	b.ReportMetric(openCPU, "open_cpu_s")
}

// BenchmarkDecodeSubscriber is the per-record cost behind the index rebuild.
func BenchmarkDecodeSubscriber(b *testing.B) {
	sub := synthetic(12345)
	raw := AppendSubscriber(nil, &sub)
	var out herald.Subscriber
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeSubscriber(1, raw, &out); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(raw)), "bytes/record")
}
