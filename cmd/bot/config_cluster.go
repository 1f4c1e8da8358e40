package main

import (
	"fmt"
	"os"
	"time"
)

// ClusterConfig is how this instance takes part in a deployment of
// several (storage.driver: postgres; see README "Running several
// instances"). With bbolt it is unused.
type ClusterConfig struct {
	// Instance is this instance's name in logs, /healthz, /metrics and
	// /log; empty: host name + pid.
	Instance string `yaml:"instance"`
	// LeaseTTL is how long a dead instance's work (sending, Telegram
	// polling) stays owned before another instance takes it.
	LeaseTTL Duration `yaml:"lease_ttl"`
}

// defaultLeaseTTL: a dead instance's sending resumes elsewhere within
// about this long, and a database blip shorter than two thirds of it
// costs nothing.
const defaultLeaseTTL = 10 * time.Second

// minLeaseTTL: renewals go every third of the ttl; below a second a slow
// query or a busy database would hand the work over for nothing (a few
// seconds is wiser in production; tests use less to run fast).
const minLeaseTTL = time.Second

// validateCluster checks cluster: (only PostgreSQL reads it).
func (c *Config) validateCluster(add addFunc) {
	if !c.Storage.postgres() {
		return
	}
	if ttl := c.Cluster.LeaseTTL.D(); ttl < minLeaseTTL {
		add("cluster.lease_ttl", "%s is too short — use %s or more (the default is %s): renewals go every third of it, and a slow database would hand the sending over for nothing", ttl, minLeaseTTL, defaultLeaseTTL)
	}
	if n := len(c.Cluster.Instance); n > 100 {
		add("cluster.instance", "is %d characters long — use a short name such as herald-1 (at most 100)", n)
	}
}

// instanceName is this instance's name: cluster.instance, else host name +
// pid (unique among instances on one host, and says where to look).
func (c ClusterConfig) instanceName() string {
	if c.Instance != "" {
		return c.Instance
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "herald"
	}
	return fmt.Sprintf("%s-%d", host, os.Getpid())
}
