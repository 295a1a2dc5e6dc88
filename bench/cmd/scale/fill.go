package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/bench"
)

// sessionsPerUser is how many sessions each user has: the stores index
// sessions by user, and a million sessions of one user would not be
// realistic.
const sessionsPerUser = 4

// user returns the i-th session's user.
func user(i int) authgate.User {
	u := i / sessionsPerUser
	return authgate.User{ID: fmt.Sprintf("u-%07d", u), Login: fmt.Sprintf("user%07d", u), Name: fmt.Sprintf("User %d", u)}
}

// warmSize is how many of the sample the cached lookups and the repeated
// page loads go to: few enough for every store's cache.
const warmSize = 10_000

// filled is what fill keeps of the sessions it made.
type filled struct {
	ids     []authgate.Hash // every session's id
	sample  []int           // the indexes of the sessions to time, in random order
	cookies map[int]string  // the Cookie headers of the sample
}

// warm returns the part of f that the cached lookups go to.
func (f *filled) warm() *filled {
	w := *f
	w.sample = f.sample[:min(warmSize, len(f.sample))]
	return &w
}

// idleAge is how long before the run every session was last seen: more
// than the touch interval, so that each one's first page load in the run
// touches it, whatever the time the fill took.
const idleAge = 2 * time.Minute

// fill signs n sessions in through g as of idleAge ago, from workers
// goroutines, and keeps the ids of all and the cookies of lookups of them
// picked at random.
func fill(ctx context.Context, g *bench.Gate, n, lookups, workers int) (*filled, error) {
	f := &filled{ids: make([]authgate.Hash, n), cookies: make(map[int]string, lookups)}
	f.sample = rand.Perm(n)[:lookups]
	want := make([]bool, n)
	for _, i := range f.sample {
		want[i] = true
	}
	var (
		next     atomic.Int64
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		done     atomic.Int64
	)
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				cookie, s, err := g.SignInAs(ctx, idleAge, user(i))
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					next.Store(int64(n))
					return
				}
				f.ids[i] = s.ID
				if want[i] {
					mu.Lock()
					f.cookies[i] = cookie
					mu.Unlock()
				}
				if d := done.Add(1); d%100_000 == 0 {
					fmt.Printf("  %d sessions in %v\n", d, time.Since(start).Round(time.Second))
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return f, ctx.Err()
}

// cachedLookupTimes looks up the warm part of f once, unmeasured, then
// again, and returns the second pass's latencies.
func cachedLookupTimes(ctx context.Context, st authgate.SessionStore, f *filled) ([]time.Duration, error) {
	w := f.warm()
	if _, err := lookupTimes(ctx, st, w); err != nil {
		return nil, err
	}
	return lookupTimes(ctx, st, w)
}

// gatedPasses times page loads through h on the sampled sessions of f:
// first, the first load on each since the fill, then again, a load in
// steady use after settle (see steadyGatedTimes).
func gatedPasses(ctx context.Context, h http.Handler, f *filled, settle time.Duration) (first, again []time.Duration, err error) {
	first, err = gatedTimes(ctx, h, f)
	if err != nil {
		return nil, nil, err
	}
	again, err = steadyGatedTimes(ctx, h, f, settle)
	if err != nil {
		return nil, nil, err
	}
	return first, again, nil
}

// noCacheGatedTimes times page loads in steady use through a gate named
// name on s, stores opened without their read cache.
func noCacheGatedTimes(ctx context.Context, name string, s bench.Stores, f *filled) ([]time.Duration, error) {
	g, err := bench.NewGate(name, s.Serve, s.Signer, nil)
	if err != nil {
		return nil, err
	}
	return steadyGatedTimes(ctx, g.Handler(), f, 0)
}

// touchInterval is the gate's default touch interval: a session is
// touched by its first request in each slot of this length on the clock.
const touchInterval = bench.IdleTimeout / 30

// steadyGatedTimes sends a page load on each session of the warm part of
// f three times and returns the third pass's latencies: the gate's path
// for a session in steady use. The first pass may touch the sessions (when
// a touch slot began since they were last touched); then it waits for
// settle, so that a store that reads its own writes past its cache for a
// while (Redis) is done with that; the second pass refills such a cache,
// and the third is measured. All three passes fall in one touch slot (it
// waits for the next slot if this one has too little left), so that
// neither the second nor the third touches anything.
func steadyGatedTimes(ctx context.Context, h http.Handler, f *filled, settle time.Duration) ([]time.Duration, error) {
	need := settle + 20*time.Second // the pause, and room for the passes
	now := time.Now()
	if left := now.Truncate(touchInterval).Add(touchInterval).Sub(now); left < need {
		if err := sleep(ctx, left+100*time.Millisecond); err != nil {
			return nil, err
		}
	}
	w := f.warm()
	if _, err := gatedTimes(ctx, h, w); err != nil {
		return nil, err
	}
	if err := sleep(ctx, settle); err != nil {
		return nil, err
	}
	if _, err := gatedTimes(ctx, h, w); err != nil {
		return nil, err
	}
	return gatedTimes(ctx, h, w)
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// lookupTimes looks up each sampled session once through st and returns
// the latencies.
func lookupTimes(ctx context.Context, st authgate.SessionStore, f *filled) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(f.sample))
	for _, i := range f.sample {
		id := f.ids[i]
		start := time.Now()
		s, err := st.Session(ctx, id)
		d := time.Since(start)
		if err != nil {
			return nil, fmt.Errorf("looking up session %d: %w", i, err)
		}
		if s.ID != id {
			return nil, fmt.Errorf("session %d came back with another id", i)
		}
		lat = append(lat, d)
	}
	return lat, nil
}

// gatedTimes sends one signed-in page load per sampled session through h
// and returns the latencies.
func gatedTimes(ctx context.Context, h http.Handler, f *filled) ([]time.Duration, error) {
	lat := make([]time.Duration, 0, len(f.sample))
	for _, i := range f.sample {
		r := bench.PageRequest(f.cookies[i]).WithContext(ctx)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		d := time.Since(start)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), bench.Body) {
			return nil, fmt.Errorf("page load on session %d: status %d", i, w.Code)
		}
		lat = append(lat, d)
	}
	return lat, nil
}
