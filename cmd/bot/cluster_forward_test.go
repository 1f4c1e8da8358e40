package main

import (
	"testing"
	"time"
)

// TestClusterRunsAnsweredNeverBlocks: answers arrive on the instance's one
// listener; one nobody here waits for, or a second answer to a question,
// must not stop it hearing the next.
func TestClusterRunsAnsweredNeverBlocks(t *testing.T) {
	ch := make(chan forwarded, 1)
	c := &clusterRuns{waiting: map[string]chan forwarded{"q1": ch}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.answered(forwarded{Reply: "elsewhere"})
		c.answered(forwarded{Reply: "q1", Run: "r1"})
		c.answered(forwarded{Reply: "q1", Run: "r2"})
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("answered blocked the listener")
	}
	if got := <-ch; got.Run != "r1" {
		t.Errorf("the waiting control got %+v, want the first answer (run r1)", got)
	}
}
