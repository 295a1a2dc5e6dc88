package bench

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestContenders checks that every contender does what the benchmarks
// assume: a live session reaches the handler, an expired one is refused
// without reaching it, and an API key passes the gate.
func TestContenders(t *testing.T) {
	ctx := context.Background()
	for _, c := range setup(t) {
		t.Run(c.Name(), func(t *testing.T) {
			_, bare := c.(Bare)
			h := c.Handler()

			live, err := c.SignIn(ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, PageRequest(live))
			if w.Code != http.StatusOK || w.Body.String() != Body {
				t.Errorf("signed-in page load: %d %q, want 200 %q", w.Code, w.Body.String(), Body)
			}

			expired, err := c.Expired(ctx)
			if err != nil {
				t.Fatal(err)
			}
			w = httptest.NewRecorder()
			h.ServeHTTP(w, ScriptRequest(expired))
			switch {
			case bare && w.Code != http.StatusOK:
				t.Errorf("bare script call: %d, want 200", w.Code)
			case !bare && (w.Code != http.StatusUnauthorized || w.Body.String() == Body):
				t.Errorf("expired script call: %d %q, want a 401 that did not reach the handler", w.Code, w.Body.String())
			}
			if g, ok := c.(*Gate); ok {
				if got := w.Header().Get("Authgate-Login"); got != "expired" {
					t.Errorf("expired script call: Authgate-Login %q, want expired", got)
				}
				authz, err := g.NewKey(ctx)
				if err != nil {
					t.Fatal(err)
				}
				w = httptest.NewRecorder()
				h.ServeHTTP(w, MachineRequest(authz))
				if w.Code != http.StatusOK {
					t.Errorf("API key call: %d, want 200", w.Code)
				}
			}
		})
	}
}

// touchSlots returns how many of the gate's touch slots (the default touch
// interval, IdleTimeout/30, on the wall clock) the span from start to end
// touches: the gate writes a session at most once per slot, so a burst
// that straddles a slot's end may write twice.
func touchSlots(start, end time.Time) int64 {
	interval := IdleTimeout / 30
	return int64(end.Truncate(interval).Sub(start.Truncate(interval))/interval) + 1
}

// TestBurstWrites checks the write counts that BenchmarkBurst1000 reports:
// one store write for 1,000 requests on one stale session through the
// gate (one per touch slot, should the burst straddle two), and one per
// request for scs with an idle timeout.
func TestBurstWrites(t *testing.T) {
	const n = 1000
	ctx := context.Background()
	for _, c := range setup(t) {
		t.Run(c.Name(), func(t *testing.T) {
			cookie, err := c.SignIn(ctx, 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res, err := Burst(ctx, c.Handler(), c, cookie, n)
			if err != nil {
				t.Fatal(err)
			}
			slots := touchSlots(start, time.Now())
			t.Logf("%d requests: %d store writes, %d responses with Set-Cookie", n, res.Writes, res.SetCookies)
			switch {
			case strings.HasPrefix(c.Name(), "authgate-"):
				if res.Writes < 1 || res.Writes > slots || int64(res.SetCookies) != res.Writes {
					t.Errorf("gate: %d writes and %d Set-Cookie responses over %d touch slots, want one of each per slot (a touch, a new companion cookie)", res.Writes, res.SetCookies, slots)
				}
			case strings.HasPrefix(c.Name(), "scs-"):
				if res.Writes != n {
					t.Errorf("scs: %d writes, want %d", res.Writes, n)
				}
			}
		})
	}
}

// TestConcurrentBurstWrites sends 1,000 requests on one stale session from
// 8 goroutines at once: the gate's touch claim lets one of them write (one
// per touch slot, should the burst straddle two).
func TestConcurrentBurstWrites(t *testing.T) {
	const workers, each = 8, 125
	ctx := context.Background()
	for _, c := range setup(t) {
		g, ok := c.(*Gate)
		if !ok {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			cookie, err := g.SignIn(ctx, 2*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			h := g.Handler()
			base := PageRequest(cookie)
			w0 := g.Writes()
			start := time.Now()
			var wg sync.WaitGroup
			codes := make(chan int, workers*each)
			for range workers {
				wg.Go(func() {
					for range each {
						w := httptest.NewRecorder()
						h.ServeHTTP(w, base.Clone(ctx))
						codes <- w.Code
					}
				})
			}
			wg.Wait()
			slots := touchSlots(start, time.Now())
			close(codes)
			for code := range codes {
				if code != http.StatusOK {
					t.Fatalf("status %d, want 200", code)
				}
			}
			if n := g.Writes() - w0; n < 1 || n > slots {
				t.Errorf("%d store writes for %d concurrent requests over %d touch slots, want one per slot", n, workers*each, slots)
			}
		})
	}
}

// TestBackdate checks that a backdated gorilla cookie is refused as
// expired, and that the same cookie re-signed with the current time is
// accepted, so that the refusal is due to its age.
func TestTouchSlots(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC) // on a slot's start
	tests := []struct {
		name       string
		start, end time.Time
		want       int64
	}{
		{"within a slot", base.Add(time.Second), base.Add(59 * time.Second), 1},
		{"across one end", base.Add(59 * time.Second), base.Add(61 * time.Second), 2},
		{"across two", base.Add(59 * time.Second), base.Add(121 * time.Second), 3},
	}
	for _, tt := range tests {
		if got := touchSlots(tt.start, tt.end); got != tt.want {
			t.Errorf("%s: touchSlots = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestBackdate(t *testing.T) {
	ctx := context.Background()
	g := NewGorilla()
	live, err := g.SignIn(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	value := live[len(gorillaCookie)+1:]
	tests := []struct {
		name string
		unix int64
		want int
	}{
		{"now", time.Now().Unix(), http.StatusOK},
		{"past the idle timeout", time.Now().Add(-IdleTimeout - time.Minute).Unix(), http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := backdate(g.hashKey, gorillaCookie, value, tt.unix)
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			g.Handler().ServeHTTP(w, PageRequest(gorillaCookie+"="+v))
			if w.Code != tt.want {
				t.Errorf("status %d, want %d", w.Code, tt.want)
			}
		})
	}
}
