package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
)

// probeStore is a store whose User answers with err, counting the calls.
type probeStore struct {
	authgate.UserStore
	err   error
	calls atomic.Int32
	gate  chan struct{} // when set, each call waits for it to close
}

func (p *probeStore) User(ctx context.Context, id string) (authgate.User, error) {
	p.calls.Add(1)
	if p.gate != nil {
		<-p.gate
	}
	return authgate.User{}, p.err
}

// pingStore is a store with a Ping, as Redis has.
type pingStore struct {
	probeStore
	pings atomic.Int32
}

func (p *pingStore) Ping(context.Context) error { p.pings.Add(1); return p.err }

func TestHealthEndpoints(t *testing.T) {
	down := errors.New("connection refused")
	tests := []struct {
		name    string
		store   authgate.UserStore
		stopped bool
		method  string
		path    string
		want    int
	}{
		{"live", &probeStore{err: down}, false, "GET", livePath, 200},
		{"live during shutdown", &probeStore{}, true, "GET", livePath, 200},
		{"ready: store says not found", &probeStore{err: authgate.ErrNotFound}, false, "GET", readyPath, 200},
		{"ready: memstore", memstore.New(), false, "HEAD", readyPath, 200},
		{"not ready: store down", &probeStore{err: down}, false, "GET", readyPath, 503},
		{"not ready: Ping fails", &pingStore{probeStore: probeStore{err: down}}, false, "GET", readyPath, 503},
		{"not ready: shutting down", &probeStore{err: authgate.ErrNotFound}, true, "GET", readyPath, 503},
		{"POST refused", &probeStore{}, false, "POST", livePath, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stopped := make(chan struct{})
			if tt.stopped {
				close(stopped)
			}
			h := newReadiness(tt.store, stopped)
			w := httptest.NewRecorder()
			if !h.serveHealth(w, httptest.NewRequest(tt.method, tt.path, nil)) {
				t.Fatal("not answered")
			}
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
		})
	}
	if newReadiness(memstore.New(), nil).serveHealth(httptest.NewRecorder(), httptest.NewRequest("GET", "/.authgate/other", nil)) {
		t.Error("answered a path that is not a health endpoint")
	}
}

// A store with a Ping is pinged rather than asked for a user.
func TestReadinessPings(t *testing.T) {
	st := &pingStore{}
	if !newReadiness(st, nil).isReady(t.Context()) {
		t.Fatal("not ready")
	}
	if st.pings.Load() != 1 || st.calls.Load() != 0 {
		t.Errorf("%d pings and %d user look-ups, want 1 and 0", st.pings.Load(), st.calls.Load())
	}
}

// A flood of readiness probes costs the store one check: probes that come
// while one runs wait for it, and later ones reuse its answer.
func TestReadinessProbesShareOneCheck(t *testing.T) {
	st := &probeStore{err: authgate.ErrNotFound, gate: make(chan struct{})}
	h := newReadiness(st, nil)
	h.reuse = time.Hour // however slowly the probes come
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Go(func() {
			w := httptest.NewRecorder()
			h.serveHealth(w, httptest.NewRequest("GET", readyPath, nil))
			codes[i] = w.Code
		})
	}
	for st.calls.Load() == 0 { // the check has started
		runtime.Gosched()
	}
	close(st.gate)
	wg.Wait()
	w := httptest.NewRecorder()
	h.serveHealth(w, httptest.NewRequest("GET", readyPath, nil))
	if n := st.calls.Load(); n != 1 {
		t.Errorf("the store was asked %d times, want 1", n)
	}
	for i, c := range append(codes, w.Code) {
		if c != http.StatusOK {
			t.Fatalf("probe %d: status %d", i, c)
		}
	}
}
