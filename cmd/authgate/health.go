package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/authgate/authgate"
)

// The health endpoints of every serving command. They sit under the gate's
// own prefix, so they never reach the app behind the proxy and never clash
// with its paths; they need no sign-in and are neither logged nor counted.
const (
	// livePath answers 200 while the process serves requests.
	livePath = "/.authgate/livez"
	// readyPath answers 200 while the store answers, and 503 when it does
	// not or when shutdown has begun.
	readyPath = "/.authgate/readyz"
)

const (
	// readyFor is how long one readiness check of the store is reused, so
	// that a flood of probes costs the store one query a second at most.
	readyFor = time.Second
	// readyTimeout bounds one readiness check of the store.
	readyTimeout = 2 * time.Second
	// probeUserID is the user id a readiness check looks up in a store that
	// has no Ping: any answer from the store, "not found" included, means
	// it answers.
	probeUserID = "authgate-readiness-probe"
)

// pinger is a store that can check its connection cheaply (Redis).
type pinger interface {
	Ping(ctx context.Context) error
}

// readiness checks the store for readyPath, at most once per readyFor.
type readiness struct {
	st      authgate.UserStore
	stopped <-chan struct{}
	reuse   time.Duration // readyFor; tests set it longer

	mu      sync.Mutex
	checked time.Time
	ok      bool
	running chan struct{} // closed when the check under way ends; nil if none
}

func newReadiness(st authgate.UserStore, stopped <-chan struct{}) *readiness {
	return &readiness{st: st, stopped: stopped, reuse: readyFor}
}

// serveHealth answers r if it asks for a health endpoint, and reports
// whether it did.
func (h *readiness) serveHealth(w http.ResponseWriter, r *http.Request) bool {
	var ok bool
	switch r.URL.Path {
	case livePath:
		ok = true
	case readyPath:
		ok = h.isReady(r.Context())
	default:
		return false
	}
	hdr := w.Header()
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Type", "text/plain; charset=utf-8")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hdr.Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return true
	}
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = io.WriteString(w, "not ready\n")
		return true
	}
	_, _ = io.WriteString(w, "ok\n")
	return true
}

// isReady reports whether shutdown has not begun and the store answered a
// check within the last readyFor. Concurrent callers share one check.
func (h *readiness) isReady(ctx context.Context) bool {
	select {
	case <-h.stopped:
		return false
	default:
	}
	h.mu.Lock()
	if time.Since(h.checked) < h.reuse {
		ok := h.ok
		h.mu.Unlock()
		return ok
	}
	running := h.running
	if running == nil {
		running = make(chan struct{})
		h.running = running
		go h.check(running)
	}
	h.mu.Unlock()
	select {
	case <-running:
	case <-ctx.Done():
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ok
}

// check asks the store once and records the answer; it runs apart from
// any request, so that a probe that hangs up does not cancel it.
func (h *readiness) check(done chan struct{}) {
	ctx, cancel := context.WithTimeout(context.Background(), readyTimeout)
	defer cancel()
	var err error
	if p, ok := h.st.(pinger); ok {
		err = p.Ping(ctx)
	} else if _, err = h.st.User(ctx, probeUserID); errors.Is(err, authgate.ErrNotFound) {
		err = nil
	}
	h.mu.Lock()
	h.ok, h.checked, h.running = err == nil, time.Now(), nil
	h.mu.Unlock()
	close(done)
}
