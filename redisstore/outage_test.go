package redisstore

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
)

// hangBound is far beyond Options.Timeout in TestOutage: a call that takes
// longer is hung, not slow.
const hangBound = 10 * time.Second

// TestOutage kills redis-server while readers are busy. Every call during
// the outage must fail with an error that is not ErrNotFound (the gate turns
// it into 503, never a login prompt), and return; when Redis is back on the
// same port the same Store works again; Close leaves no goroutine behind.
func TestOutage(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	baseline := runtime.NumGoroutine()
	s, err := New(ctx, Options{Addrs: []string{srv.Addr}, Timeout: time.Second})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	closed := false
	defer func() {
		if !closed {
			_ = s.Close()
		}
	}()
	sess := newSession("alice")
	if err := s.CreateSession(ctx, sess); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}

	// Readers keep reading the session and count what they get.
	var (
		stop                 atomic.Bool
		outage               atomic.Bool // set once redis-server is dead
		ok, failed, notFound atomic.Int64
		strictFrom, staleOK  atomic.Int64 // reads started after strictFrom (unix ns) that succeeded
		slowest              atomic.Int64 // nanoseconds
		wg                   sync.WaitGroup
		errMu                sync.Mutex
		sampleErr            error
	)
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				start := time.Now()
				_, err := s.Session(ctx, sess.ID)
				if d := int64(time.Since(start)); d > slowest.Load() {
					slowest.Store(d)
				}
				if !outage.Load() {
					continue
				}
				switch {
				case err == nil:
					ok.Add(1)
					if from := strictFrom.Load(); from != 0 && start.UnixNano() > from {
						staleOK.Add(1)
					}
				case errors.Is(err, authgate.ErrNotFound):
					notFound.Add(1)
				default:
					failed.Add(1)
					errMu.Lock()
					sampleErr = err
					errMu.Unlock()
				}
			}
		})
	}

	srv.Kill()
	outage.Store(true)
	if !waitFor(hangBound, func() bool { return failed.Load() >= 20 }) {
		t.Fatalf("during the outage: %d errors, %d successes, %d not found; want errors", failed.Load(), ok.Load(), notFound.Load())
	}
	// Once the connection is known dead, its cache is gone: no read that
	// starts now may succeed until Redis is back.
	strictFrom.Store(time.Now().UnixNano())
	target := failed.Load() + 20
	if !waitFor(hangBound, func() bool { return failed.Load() >= target }) {
		t.Fatalf("readers stopped failing: %d errors", failed.Load())
	}
	writes := []struct {
		name string
		call func() error
	}{
		{"CreateSession", func() error { return s.CreateSession(ctx, newSession("alice")) }},
		{"TouchSession", func() error { return s.TouchSession(ctx, sess.ID, time.Now()) }},
		{"RevokeSession", func() error { return s.RevokeSession(ctx, sess.ID) }},
		{"Key", func() error { _, err := s.Key(ctx, "key_1"); return err }},
		{"UserByLogin", func() error { _, err := s.UserByLogin(ctx, "alice"); return err }},
	}
	for _, w := range writes {
		if err := w.call(); err == nil || errors.Is(err, authgate.ErrNotFound) {
			t.Errorf("%s during the outage: %v, want a connection error", w.name, err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if n := staleOK.Load(); n != 0 {
		t.Errorf("%d reads succeeded from a stale cache after the outage was seen", n)
	}
	if n := notFound.Load(); n != 0 {
		t.Errorf("%d reads during the outage said ErrNotFound; an outage must not look like a missing session", n)
	}
	if d := time.Duration(slowest.Load()); d > hangBound {
		t.Errorf("the slowest read took %v", d)
	}
	errMu.Lock()
	t.Logf("outage: %d errors (e.g. %v), slowest read %v", failed.Load(), sampleErr, time.Duration(slowest.Load()))
	errMu.Unlock()

	// Back on the same port, empty (persistence is off): the same Store
	// reconnects by itself and says the old session is gone.
	srv.Restart()
	var last error
	if !waitFor(hangBound, func() bool {
		_, last = s.Session(ctx, sess.ID)
		return errors.Is(last, authgate.ErrNotFound)
	}) {
		t.Fatalf("after restart: Session = %v, want ErrNotFound", last)
	}
	fresh := newSession("alice")
	if err := s.CreateSession(ctx, fresh); err != nil {
		t.Fatalf("CreateSession after restart: %v", err)
	}
	if got, err := s.Session(ctx, fresh.ID); err != nil || got.UserID != "alice" {
		t.Fatalf("Session after restart = %q, %v", got.UserID, err)
	}

	closed = true
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := s.Session(ctx, fresh.ID); err == nil {
		t.Error("Session after Close succeeded")
	}
	if !waitFor(hangBound, func() bool { return runtime.NumGoroutine() <= baseline }) {
		buf := make([]byte, 1<<16)
		t.Errorf("goroutines: %d after Close, %d before New\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
	}
}
