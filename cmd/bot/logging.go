package main

import (
	"io"
	"log/slog"
)

// newLogger writes text logs to w (stderr) at the config's level; verbose
// (-v) means debug whatever the config says.
func newLogger(w io.Writer, level string, verbose bool) *slog.Logger {
	var l slog.Level
	switch level {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	if verbose {
		l = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
