package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// servingFlags are the settings every command that serves the gate shares
// (demo, proxy, forward-auth): logs, metrics and shutdown. They are
// registered with the gate's flags by [demoFlags.register].
type servingFlags struct {
	logFormat   string        // text or json
	accessLog   float64       // share of requests logged: 1 all, 0 none
	metricsAddr string        // where /metrics listens; "" for nowhere
	grace       time.Duration // how long requests in flight get at shutdown
}

func (sf *servingFlags) register(fs *flagSet) {
	fs.StringVar(&sf.logFormat, "log-format", "text", "the log's format: text or json (slog's)")
	fs.Float64Var(&sf.accessLog, "access-log", 1, "the `share` of requests written to the access log, one line each: 1 every one, 0 none, 0.1 one in ten (5xx answers always)")
	fs.StringVar(&sf.metricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://`host:port`/metrics (default off; keep it off public addresses)")
	fs.DurationVar(&sf.grace, "shutdown-grace", 10*time.Second, "on SIGTERM or SIGINT, how long requests in flight (streams too) get to finish before they are cut")
}

// check validates the flags of the command called name.
func (sf *servingFlags) check(name string) error {
	switch {
	case sf.logFormat != "text" && sf.logFormat != "json":
		return usageError("%s: --log-format is text or json, not %q", name, sf.logFormat)
	case !(sf.accessLog >= 0 && sf.accessLog <= 1): // also refuses NaN
		return usageError("%s: --access-log is a share from 0 to 1", name)
	case sf.grace < 0:
		return usageError("%s: --shutdown-grace must not be negative", name)
	}
	if sf.metricsAddr != "" {
		if _, _, err := net.SplitHostPort(sf.metricsAddr); err != nil {
			return usageError("%s: --metrics-addr is host:port: %v", name, err)
		}
	}
	return nil
}

// newLogger returns the command's logger, in the format the flags name, on
// w.
func (sf *servingFlags) newLogger(w io.Writer) *slog.Logger {
	if sf.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// serving is what a command that serves the gate runs besides its own
// handler: the health endpoints, the access log, the metrics and the
// lifecycle. A serving command makes one with [cli.newServing] once the
// store is open, gives the gate [serving.store] and [serving.log], wraps
// its handler with [serving.handler] (and the handlers behind the gate
// with [serving.signedIn]), and runs it with [serving.serve].
type serving struct {
	name    string
	flags   servingFlags
	log     *slog.Logger
	store   store // the command's store, timed for the metrics
	ready   *readiness
	metrics *metrics // nil when --metrics-addr is not set
	sample  sampler
	stopped chan struct{} // closed when shutdown begins
	stopOne sync.Once
}

// newServing checks the serving flags of the command called name and
// prepares its serving around st. The caller still closes st.
func (c *cli) newServing(name string, sf servingFlags, st store) (*serving, error) {
	if err := sf.check(name); err != nil {
		return nil, err
	}
	s := &serving{
		name: name, flags: sf, log: sf.newLogger(c.stderr), store: st,
		sample: newSampler(sf.accessLog), stopped: make(chan struct{}),
	}
	if sf.metricsAddr != "" {
		s.metrics = newMetrics()
		s.store = timedStore{store: st, m: s.metrics}
	}
	s.ready = newReadiness(st, s.stopped)
	return s, nil
}

// handler wraps the command's handler h, which serves gate g: health
// endpoints first (never logged or counted), then the access log and the
// metrics.
func (s *serving) handler(g *authgate.Gate, h http.Handler) http.Handler {
	if s.metrics != nil {
		s.metrics.watch(g)
	}
	observed := s.observe(g, h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.ready.serveHealth(w, r) {
			return
		}
		observed.ServeHTTP(w, r)
	})
}

// newHTTPServer returns the server for handler h. It sets no read or
// write timeout, so uploads, downloads, server-sent events and WebSockets
// last as long as they need; headers must come fast, and idle connections
// end.
func (s *serving) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnContext:       connContext,
	}
}

// serve runs srv on ln, and the metrics server when there is one, until
// ctx ends; then it shuts down gracefully (see [serving.shutdown]).
func (s *serving) serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	// Every request's context descends from streams, which ends when the
	// grace period does: that closes the streams still open (server-sent
	// events and WebSockets, which http.Server.Shutdown does not wait for or
	// close).
	streams, cut := context.WithCancel(context.WithoutCancel(ctx))
	defer cut()
	srv.BaseContext = func(net.Listener) context.Context { return streams }
	inflight := new(sync.WaitGroup)
	h := srv.Handler
	srv.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inflight.Add(1)
		defer inflight.Done()
		h.ServeHTTP(w, r)
	})

	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var msrv *http.Server
	if s.metrics != nil {
		mln, err := net.Listen("tcp", s.flags.metricsAddr)
		if err != nil {
			_ = srv.Close()
			<-errc
			return fmt.Errorf("listening on --metrics-addr %s: %w", s.flags.metricsAddr, err)
		}
		msrv = s.newHTTPServer(s.metricsHandler())
		go func() { errc <- msrv.Serve(mln) }()
		s.log.Info("authgate "+s.name+": metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}

	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	s.shutdown(srv, msrv, inflight, cut)
	return serveErr
}

// shutdown stops srv (and msrv) gracefully: readiness turns to 503, the
// listeners close, idle connections end, and requests in flight, streams
// included, get --shutdown-grace to finish. Then what is left is cut.
func (s *serving) shutdown(srv, msrv *http.Server, inflight *sync.WaitGroup, cut context.CancelFunc) {
	s.stopOne.Do(func() { close(s.stopped) })
	s.log.Info("authgate "+s.name+": shutting down", "grace", s.flags.grace)
	graceCtx, cancel := context.WithTimeout(context.Background(), s.flags.grace)
	defer cancel()
	done := make(chan struct{})
	go func() {
		_ = srv.Shutdown(graceCtx) // waits for requests that hold no hijacked connection
		inflight.Wait()            // and for those that do (WebSockets)
		close(done)
	}()
	select {
	case <-done:
	case <-graceCtx.Done():
		s.log.Warn("authgate " + s.name + ": grace period over; closing the requests still open")
		cut()
		_ = srv.Close()
		// Handlers watch their request's context, which cut ended; one
		// that does not is left behind after a bounded wait.
		select {
		case <-done:
		case <-time.After(closeWait):
			s.log.Warn("authgate " + s.name + ": requests still running after the grace period; exiting anyway")
		}
	}
	if msrv != nil {
		_ = msrv.Close()
	}
	s.log.Info("authgate " + s.name + ": stopped")
}

// closeWait bounds the wait for handlers to return once the grace period
// has cut their requests.
const closeWait = 5 * time.Second
