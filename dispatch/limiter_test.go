package dispatch

import (
	"context"
	"testing"
	"time"
)

// fakeTime is a clock whose sleeps advance it.
type fakeTime struct{ now time.Time }

func (f *fakeTime) Now() time.Time { return f.now }
func (f *fakeTime) Sleep(_ context.Context, d time.Duration) error {
	f.now = f.now.Add(d)
	return nil
}

func TestLimiterNeverExceedsItsRateInAnyWindow(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	l := newLimiter(30, 0.97, ft.Now, ft.Sleep)
	var starts []time.Time
	for range 300 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		starts = append(starts, ft.now)
		l.Done()
	}
	for i := range starts {
		n := 0
		for j := i; j < len(starts) && starts[j].Sub(starts[i]) < time.Second; j++ {
			n++
		}
		if n > 30 {
			t.Fatalf("%d requests within a second from request %d", n, i)
		}
	}
	if rate := float64(len(starts)-1) / starts[len(starts)-1].Sub(starts[0]).Seconds(); rate < 0.95*30 {
		t.Errorf("rate %.1f/s, want at least 95%% of 30", rate)
	}
}

func TestLimiterSlowsDownAfterA429AndRecovers(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	l := newLimiter(10, 1, ft.Now, ft.Sleep)
	_ = l.Wait(context.Background())
	l.Done()
	l.Backoff(5 * time.Second)
	_ = l.Wait(context.Background())
	l.Done()
	if waited := ft.now.Sub(time.Unix(0, 0)); waited < 5*time.Second {
		t.Errorf("resumed after %s, want the 5s the platform asked for", waited)
	}
	if l.interval <= l.base {
		t.Errorf("interval %s not slower than %s after a 429", l.interval, l.base)
	}
	for range 1000 {
		l.Success()
	}
	if l.interval != l.base {
		t.Errorf("interval %s did not recover to %s", l.interval, l.base)
	}
}

func TestRetryKeyIsAStableUUID(t *testing.T) {
	a := retryKey("B-7K2Q/1", 1, 500, 500, "text\x00hello")
	if a != retryKey("B-7K2Q/1", 1, 500, 500, "text\x00hello") {
		t.Error("the same batch got two keys")
	}
	for _, b := range []string{
		retryKey("B-7K2Q/2", 1, 500, 500, "text\x00hello"),
		retryKey("B-7K2Q/1", 2, 500, 499, "text\x00hello"),
		retryKey("B-7K2Q/1", 1, 500, 500, "text\x00hello!"),
	} {
		if a == b {
			t.Errorf("different batches share key %s", a)
		}
	}
	if len(a) != 36 || a[14] != '5' || a[8] != '-' {
		t.Errorf("%s is not a version-5 UUID", a)
	}
}

func TestLimiterWaitsOneSecondAfterAnswersWhenRequestsAreSlow(t *testing.T) {
	ft := &fakeTime{now: time.Unix(0, 0)}
	l := newLimiter(5, 1, ft.Now, ft.Sleep)
	// five requests start, then are answered 800 ms later
	for range 5 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ft.now = ft.now.Add(800 * time.Millisecond)
	answered := ft.now
	for range 5 {
		l.Done()
	}
	_ = l.Wait(context.Background())
	if got := ft.now.Sub(answered); got < time.Second {
		t.Errorf("the sixth request started %s after the answers, want a second", got)
	}
}
