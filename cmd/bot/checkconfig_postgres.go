package main

import (
	"context"
	"fmt"
	"io"

	"github.com/heraldbot/herald/storage/postgres"
)

// checkPostgres is check-config's look at the database: does it answer,
// and will this build start on it (its schema current, behind — migrated
// at start — or newer, refused). It writes nothing and takes no lock, so
// it may run beside the bot.
func checkPostgres(cfg Config, stdout, stderr io.Writer) int {
	sc := cfg.Storage
	shown := sc.shown()
	ctx, cancel := context.WithTimeout(context.Background(), postgresConnectTimeout)
	defer cancel()
	s, err := postgres.CheckSchema(ctx, sc.PostgresURL)
	if err != nil {
		fmt.Fprintln(stderr, "herald check-config:", postgresError(shown, err))
		return exitFail
	}
	fmt.Fprintln(stdout)
	switch {
	case s.Newer():
		fmt.Fprintln(stderr, "herald check-config:", newerSchemaError(shown, s))
		return exitFail
	case s.Version == 0:
		fmt.Fprintf(stdout, "database: connected to %s; it has no Herald tables yet: herald creates them (schema %d) when it starts.\n", shown, s.Latest)
	case s.Behind():
		fmt.Fprintf(stdout, "database: connected to %s; schema %d is behind this build's %d: herald migrates it when it starts (back it up first with pg_dump).\n", shown, s.Version, s.Latest)
	default:
		fmt.Fprintf(stdout, "database: connected to %s; schema %d is current.\n", shown, s.Version)
	}
	c := cfg.Cluster
	name := c.Instance
	if name == "" {
		name = "host name + process ID"
	}
	fmt.Fprintf(stdout, "cluster: any number of herald instances with this config share the database: one at a time sends (and polls Telegram); "+
		"if it stops, another takes over within %s plus a few seconds; every instance serves webhooks, the API and the admin chats. This one is named %s.\n",
		c.LeaseTTL.D(), name)
	return exitOK
}
