package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "oidcprovider:", err)
		os.Exit(1)
	}
}

// listFlag is a flag that may be given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// run parses args, listens, prints the issuer URL on stdout's first line
// and serves until ctx ends (or, with -exit-with-stdin, until stdin closes).
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("oidcprovider", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "`host:port` to listen on (port 0: any free port)")
	var redirects listFlag
	fs.Var(&redirects, "redirect", "a redirect `URI` the clients accept; glob patterns such as http://127.0.0.1:*/** allowed; repeatable")
	idTokenLifetime := fs.Duration("id-token-lifetime", 2*time.Minute, "how long an ID token is valid")
	sessionLifetime := fs.Duration("session-lifetime", time.Hour, "how long a browser stays signed in at the provider")
	withStdin := fs.Bool("exit-with-stdin", false, "stop when standard input closes (so the provider ends with the process that started it)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if len(redirects) == 0 {
		return errors.New("give at least one -redirect")
	}
	if *idTokenLifetime <= 0 || *sessionLifetime <= 0 {
		return errors.New("lifetimes must be positive")
	}
	cfg := config{redirects: redirects, secrets: map[string]string{}, idTokenLifetime: *idTokenLifetime, sessionLifetime: *sessionLifetime}
	for _, id := range clientIDs {
		secret, err := clientSecret(id, getenv)
		if err != nil {
			return err
		}
		cfg.secrets[id] = secret
	}
	slog.SetDefault(slog.New(slog.NewTextHandler(stderr, nil)))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	issuer := "http://" + ln.Addr().String()
	handler, err := newHandler(issuer, cfg)
	if err != nil {
		ln.Close()
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintln(stdout, issuer)

	if *withStdin {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		go func() {
			io.Copy(io.Discard, stdin)
			cancel()
		}()
	}
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}
