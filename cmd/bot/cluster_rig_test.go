package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"
)

// clusterRig runs the built binary as several instances of one deployment
// (the same PostgreSQL config, each its own cluster.instance and HTTP
// port) and finds which of them holds a lease through /healthz, as an
// operator's load balancer or script would.
type clusterRig struct {
	t      *testing.T
	bin    string
	dir    string
	config string // YAML with one %s: the instance's name
	n      int    // instances started so far
	live   []*clusterInstance
}

// clusterInstance is one running herald process.
type clusterInstance struct {
	name string
	cmd  *exec.Cmd
	log  *syncBuffer
	addr string        // host:port of its HTTP server
	done chan struct{} // closed when the process has ended
}

// start runs one more instance and waits until it serves HTTP (its
// "herald started" line names the port it got).
func (c *clusterRig) start() *clusterInstance {
	c.t.Helper()
	c.n++
	in := &clusterInstance{name: fmt.Sprintf("herald-%d", c.n), log: &syncBuffer{}, done: make(chan struct{})}
	config := filepath.Join(c.dir, in.name+".yaml")
	if err := os.WriteFile(config, fmt.Appendf(nil, c.config, in.name), 0o600); err != nil {
		c.t.Fatal(err)
	}
	in.cmd = exec.Command(c.bin, "-config", config)
	in.cmd.Stdout, in.cmd.Stderr = in.log, in.log
	if err := in.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() { _ = in.cmd.Wait(); close(in.done) }()
	c.t.Cleanup(func() {
		_ = in.cmd.Process.Kill()
		<-in.done
		if c.t.Failed() {
			out := in.log.String()
			c.t.Logf("%s's log (the end):\n%s", in.name, out[max(0, len(out)-6000):])
		}
	})
	clusterWait(c.t, in.name+" serves HTTP", func() bool {
		if m := startedAddr.FindStringSubmatch(in.log.String()); m != nil {
			in.addr = m[1]
		}
		select {
		case <-in.done:
			c.t.Fatalf("%s ended before it served HTTP (its log is below)", in.name)
		default:
		}
		return in.addr != ""
	})
	c.live = append(c.live, in)
	return in
}

// kill ends in with SIGKILL: no shutdown, no lease given back.
func (c *clusterRig) kill(in *clusterInstance) {
	c.t.Helper()
	if err := in.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		c.t.Fatal(err)
	}
	<-in.done
	c.live = slices.DeleteFunc(c.live, func(x *clusterInstance) bool { return x == in })
}

// holder waits until exactly one live instance says in /healthz that it
// holds lease, and returns it.
func (c *clusterRig) holder(lease string) *clusterInstance {
	c.t.Helper()
	var found *clusterInstance
	clusterWait(c.t, "one instance holds the "+lease+" lease", func() bool {
		var holders []*clusterInstance
		for _, in := range c.live {
			if slices.Contains(in.leases(), lease) {
				holders = append(holders, in)
			}
		}
		if len(holders) != 1 {
			return false
		}
		found = holders[0]
		return true
	})
	return found
}

// leases are the leases the instance says it holds (none when it does not
// answer).
func (in *clusterInstance) leases() []string {
	res, err := http.Get("http://" + in.addr + "/healthz")
	if err != nil {
		return nil
	}
	defer res.Body.Close()
	var health struct {
		Leases []string `json:"leases"`
	}
	if err := json.NewDecoder(res.Body).Decode(&health); err != nil {
		return nil
	}
	return health.Leases
}

// clusterWait polls cond until it holds. The deadline is generous (the
// machine is shared and noisy): it only turns a hang into a failure.
func clusterWait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); !cond(); time.Sleep(20 * time.Millisecond) { // a condition, not a schedule
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
	}
}
