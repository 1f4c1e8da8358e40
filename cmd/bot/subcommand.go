package main

import (
	"flag"
	"fmt"
	"io"
)

// configStorageHelp is -config's help for the commands that only need the
// database's path.
const configStorageHelp = "config file naming storage.path (default $HERALD_CONFIG, else embedded defaults)"

// subcommand is the flag set of the command `name` (e.g. "herald
// backup"), with its -config flag: errors go to stderr, and its usage line
// and flags go where the set writes (stdout for -h, see parseFlags).
func subcommand(name, usage, configHelp string, stderr io.Writer) (fs *flag.FlagSet, configPath *string) {
	fs = flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: "+usage)
		fs.PrintDefaults()
	}
	return fs, fs.String("config", "", configHelp)
}
