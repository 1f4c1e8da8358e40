package schedule

import (
	"context"
	"fmt"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/storage"
)

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkIdleScheduler10k plans 10,000 broadcasts due in the future and
// measures the process CPU an idle scheduler burns per second of wall time,
// against a baseline of the same process just sleeping, in the same run.
// Run: go test -run '^$' -bench IdleScheduler -benchtime 3x ./schedule/
func BenchmarkIdleScheduler10k(b *testing.B) {
	st, err := storage.Open(filepath.Join(b.TempDir(), "h.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	for i := range 10_000 {
		br := herald.Broadcast{Name: fmt.Sprintf("b%d", i), Status: herald.StatusScheduled,
			Schedule: herald.Schedule{Kind: herald.SendAt, At: now.Add(time.Duration(i+1) * time.Hour)}}
		if err := st.CreateBroadcast(&br); err != nil {
			b.Fatal(err)
		}
	}
	s := New(st, nil, nil, Options{})
	loadStart := time.Now()
	if err := s.Load(context.Background()); err != nil {
		b.Fatal(err)
	}
	loadTime := time.Since(loadStart)

	const window = 500 * time.Millisecond
	var idle, base time.Duration
	b.ResetTimer()
	for range b.N {
		c0 := cpuTime(b)
		time.Sleep(window)
		base += cpuTime(b) - c0

		ctx, cancel := context.WithTimeout(context.Background(), window)
		c0 = cpuTime(b)
		_ = s.Run(ctx)
		idle += cpuTime(b) - c0
		cancel()
	}
	secs := (window * time.Duration(b.N)).Seconds()
	b.ReportMetric(float64(idle.Microseconds())/1000/secs, "idle_cpu_ms/s")
	b.ReportMetric(float64(base.Microseconds())/1000/secs, "sleep_cpu_ms/s")
	b.ReportMetric(float64(loadTime.Milliseconds()), "load_ms")
}
