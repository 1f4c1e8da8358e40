package audiencetest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/heraldbot/herald"
	"github.com/heraldbot/herald/audience/audiencetest"
)

// TestMeasureAgreesAndReports runs the load tool's pipeline on a small
// in-memory source: the summary line has every key, and the index's count
// matches the brute-force scan (Measure fails otherwise).
func TestMeasureAgreesAndReports(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var stored []herald.Subscriber
	err := audiencetest.Load(func(b []herald.Subscriber) error {
		for _, s := range b {
			s.Tags = append([]string(nil), s.Tags...)
			attrs := map[string]string{}
			for k, v := range s.Attributes {
				attrs[k] = v
			}
			s.Attributes = attrs
			stored = append(stored, s)
		}
		return nil
	}, 5000, 700, 3, now)
	if err != nil {
		t.Fatal(err)
	}
	each := func(fn func(*herald.Subscriber) error) error {
		for i := range stored {
			if err := fn(&stored[i]); err != nil {
				return err
			}
		}
		return nil
	}
	res, err := audiencetest.Measure(each, audiencetest.BenchAudience(), now, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if res.Subscribers != 5000 || res.Matched == 0 || res.Matched > 2000 {
		t.Errorf("subscribers %d matched %d: want 5000 and a real, partial audience", res.Subscribers, res.Matched)
	}
	line := res.String()
	for _, k := range []string{"subscribers=5000 ", "count_ms_median=", "scan_ms_median=", "ratio=", "index_build_s=", "index_mb="} {
		if !strings.Contains(line, k) {
			t.Errorf("summary %q lacks %q", line, k)
		}
	}
}

// TestGeneratorIsDeterministic: benchmarks and the load tool compare like
// with like only if a seed always gives the same people.
func TestGeneratorIsDeterministic(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a, b := audiencetest.Subscribers(200, 9, now), audiencetest.Subscribers(200, 9, now)
	for i := range a {
		if a[i].ID != b[i].ID || !a[i].LastInteraction.Equal(b[i].LastInteraction) || strings.Join(a[i].Tags, ",") != strings.Join(b[i].Tags, ",") {
			t.Fatalf("subscriber %d differs between two runs with one seed", i)
		}
		if err := a[i].Validate(); err != nil {
			t.Fatalf("subscriber %d is invalid: %v", i, err)
		}
	}
}
