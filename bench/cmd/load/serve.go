package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/bench"
)

// serveFlags are the server process's settings.
type serveFlags struct {
	serve      bool
	store      string
	redis      string
	pg         string
	dir        string
	cookies    string
	cpuprofile string
	sessions   int
}

// serve runs the server process: it makes the sessions, writes their
// cookies to f.cookies, listens on a free port of 127.0.0.1, prints the
// address and serves until its standard input closes.
func serve(ctx context.Context, f serveFlags) error {
	h, cookies, closeStore, err := newHandler(ctx, f)
	if err != nil {
		return err
	}
	defer closeStore()
	if err := writeLines(f.cookies, cookies); err != nil {
		return err
	}
	if f.cpuprofile != "" {
		pf, err := os.Create(f.cpuprofile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return err
		}
		defer func() {
			pprof.StopCPUProfile()
			_ = pf.Close()
		}()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(l) }()
	fmt.Println(l.Addr().String())

	stdin := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		close(stdin)
	}()
	select {
	case <-stdin:
	case <-ctx.Done():
	case err := <-done:
		return err
	}
	if err := hs.Close(); err != nil {
		return err
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newHandler returns the handler for f.store with f.sessions sessions and
// their Cookie headers. Their last-seen times are spread evenly over the
// last touch interval, as those of sessions in steady use are, so that the
// run makes the store writes that steady use makes.
func newHandler(ctx context.Context, f serveFlags) (http.Handler, []string, func(), error) {
	cookies := make([]string, f.sessions)
	if f.store == "bare" {
		c := bench.Bare{}
		for i := range cookies {
			cookies[i], _ = c.SignIn(ctx, 0)
		}
		return c.Handler(), cookies, func() {}, nil
	}
	g, err := bench.NewGateOn(ctx, f.store, f.dir, bench.Servers{Redis: f.redis, Postgres: f.pg})
	if err != nil {
		return nil, nil, nil, err
	}
	touch := bench.IdleTimeout / 30 // the gate's default touch interval
	for i := range cookies {
		u := authgate.User{ID: fmt.Sprintf("u-%06d", i), Login: fmt.Sprintf("user%06d", i), Name: fmt.Sprintf("User %d", i)}
		age := touch * time.Duration(i) / time.Duration(len(cookies))
		if cookies[i], _, err = g.SignInAs(ctx, age, u); err != nil {
			_ = g.Close()
			return nil, nil, nil, err
		}
	}
	return g.Handler(), cookies, func() { _ = g.Close() }, nil
}

func writeLines(path string, lines []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		_, _ = w.WriteString(l)
		_ = w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
