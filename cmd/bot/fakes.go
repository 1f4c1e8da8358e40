package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/heraldbot/herald/platformtest"
)

// runFakes is `herald fakes`: the four platform fakes on one loopback port,
// so a person can point a config at them and poke the bot by hand through
// the control endpoint.
func runFakes(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("herald fakes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free one)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "herald fakes: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	if err := checkLoopback(*addr); err != nil {
		fmt.Fprintf(stderr, "herald fakes: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "herald fakes: listen on %s: %v\n", *addr, err)
		return exitFail
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	fakes := platformtest.NewServer(nil)
	srv := &http.Server{Handler: fakes.Handler(), ReadHeaderTimeout: 10 * time.Second}
	printFakes(stdout, fakes.URLs("http://"+ln.Addr().String()))

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		fmt.Fprintf(stderr, "herald fakes: %v\n", err)
		return exitFail
	case <-ctx.Done():
	}
	fakes.Close() // long polls and Socket Mode connections would hold Shutdown
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "herald fakes: %v\n", err)
		return exitFail
	}
	fmt.Fprintln(stdout, "fakes stopped")
	return exitOK
}

// checkLoopback refuses addresses other machines could reach: the fakes
// accept any token and record message contents.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q is not host:port (e.g. 127.0.0.1:8081): %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address: the fakes accept any token and keep what is sent; use 127.0.0.1 or [::1]", addr)
}

func printFakes(w io.Writer, u platformtest.BaseURLs) {
	fmt.Fprintf(w, `Herald platform fakes listening on %s

Config values to use them (any token works):
  telegram.api_url:   %s
  slack.api_url:      %s
  line.api_url:       %s
  line.data_api_url:  %s
  messenger.api_url:  %s

Control endpoint: %s (GET for a summary and the actions)
  curl -s %s -d '{"action":"deliveries"}'
  curl -s %s -d '{"action":"faults","platform":"line","rate_per_second":5}'
  curl -s %s -d '{"action":"interacted","psid":"PSID"}'   # opens Messenger's 24-hour window

Stop with Ctrl-C.
`, u.Base, u.Telegram, u.Slack, u.LINE, u.LINEData, u.Messenger,
		u.ControlPath, u.ControlPath, u.ControlPath, u.ControlPath)
}
