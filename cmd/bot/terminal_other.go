//go:build !unix

package main

import "io"

// terminalColumns is nil where Herald does not ask the terminal its
// width: the console prints progress as plain lines.
func terminalColumns(io.Writer) func() int { return nil }
