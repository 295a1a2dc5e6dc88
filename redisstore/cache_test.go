package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/redistest"
	"github.com/authgate/authgate/internal/testkit"
)

// hmgetCalls reads how many HMGET commands the server has run.
func hmgetCalls(t *testing.T, srv *redistest.Server) int {
	t.Helper()
	info, err := srv.Do("INFO", "commandstats")
	if err != nil {
		t.Fatalf("INFO commandstats: %v", err)
	}
	m := regexp.MustCompile(`cmdstat_hmget:calls=(\d+)`).FindStringSubmatch(info)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// trackedKeys reads how many keys Redis tracks for client-side caching.
func trackedKeys(t *testing.T, srv *redistest.Server) int {
	t.Helper()
	info, err := srv.Do("INFO", "stats")
	if err != nil {
		t.Fatalf("INFO stats: %v", err)
	}
	m := regexp.MustCompile(`tracking_total_keys:(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("INFO stats has no tracking_total_keys:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestForgedTokensAreNotTracked reads 10,000 random session ids, as forged
// cookies make the gate do, and checks that Redis tracks next to none of
// them while a real session is still answered from the cache.
func TestForgedTokensAreNotTracked(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	writer := openStore(t, Options{Addrs: []string{srv.Addr}})
	reader := openStore(t, Options{Addrs: []string{srv.Addr}})
	real := newSession("u1")
	if err := writer.CreateSession(ctx, real); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.Session(ctx, real.ID); err != nil {
		t.Fatalf("Session: %v", err)
	}

	const forged, workers = 10_000, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range forged / workers {
				var token [32]byte
				_, _ = rand.Read(token[:])
				if _, err := reader.Session(ctx, authgate.HashOf(token[:])); !errors.Is(err, authgate.ErrNotFound) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("Session of a forged id: error %v, want ErrNotFound", err)
	}
	n := trackedKeys(t, srv)
	t.Logf("after %d forged ids Redis tracks %d keys", forged, n)
	if n > 10 {
		t.Errorf("after %d forged ids Redis tracks %d keys, want at most 10", forged, n)
	}

	before := hmgetCalls(t, srv)
	const reads = 50
	for range reads {
		if _, err := reader.Session(ctx, real.ID); err != nil {
			t.Fatalf("Session: %v", err)
		}
	}
	// The first read after the one that found it is cached.
	if got := hmgetCalls(t, srv) - before; got > 1 {
		t.Errorf("%d reads of a real session reached Redis %d times, want at most 1", reads, got)
	}
	if n := trackedKeys(t, srv); n < 1 {
		t.Errorf("Redis tracks %d keys with a real session cached, want at least 1", n)
	}
}

// TestCacheSavesRoundTrips checks that repeated reads of a session on an
// instance that did not write it reach Redis twice with caching (once past
// the cache to find it, once to cache it) and every time without.
func TestCacheSavesRoundTrips(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	writer := openStore(t, Options{Addrs: []string{srv.Addr}})
	sess := newSession("u1")
	if err := writer.CreateSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	const reads = 50
	tests := []struct {
		noCache bool
		want    int
	}{{false, 2}, {true, reads}}
	for _, tt := range tests {
		t.Run("nocache="+strconv.FormatBool(tt.noCache), func(t *testing.T) {
			reader := openStore(t, Options{Addrs: []string{srv.Addr}, NoCache: tt.noCache})
			before := hmgetCalls(t, srv)
			for range reads {
				if _, err := reader.Session(ctx, sess.ID); err != nil {
					t.Fatalf("Session: %v", err)
				}
			}
			if got := hmgetCalls(t, srv) - before; got != tt.want {
				t.Errorf("%d reads reached Redis %d times, want %d", reads, got, tt.want)
			}
		})
	}
}

// TestWorkingSetStaysCached reads a few sessions over and over, through
// 80 minutes on the store's clock, while the store reads thousands of other
// sessions, and checks that after the first reads none of the working
// set's reached Redis: a session in use stays in the client-side cache
// however long it lives and however many others were read.
func TestWorkingSetStaysCached(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	writer := openStore(t, Options{Addrs: []string{srv.Addr}})
	// A TTL of minutes, so that the cached copies lapse only if the store
	// drops them, however slowly the test runs; on the store's clock it
	// is shorter than a round.
	reader := openStore(t, Options{Addrs: []string{srv.Addr}, CacheTTL: 3 * time.Minute})
	clock := testkit.NewClockAt(time.Now())
	reader.found.now = clock.Now

	const working, others, rounds, step = 10, 2000, 20, 4 * time.Minute
	create := func(n int) []authgate.Hash {
		ids := make([]authgate.Hash, n)
		for i := range ids {
			s := newSession("u" + strconv.Itoa(i%50))
			if err := writer.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
			ids[i] = s.ID
		}
		return ids
	}
	set, rest := create(working), create(others)
	read := func(ids []authgate.Hash) {
		t.Helper()
		for _, id := range ids {
			if _, err := reader.Session(ctx, id); err != nil {
				t.Fatalf("Session: %v", err)
			}
		}
	}
	read(set) // found, past the cache
	read(set) // cached

	for round := range rounds {
		clock.Add(step)
		before := hmgetCalls(t, srv)
		for range 5 {
			read(set)
		}
		if got := hmgetCalls(t, srv) - before; got != 0 {
			t.Fatalf("round %d (%v on): %d reads of the working set reached Redis %d times, want 0",
				round, time.Duration(round+1)*step, 5*working, got)
		}
		batch := rest[round*others/rounds : (round+1)*others/rounds]
		read(batch)
		read(batch)
	}
}

// TestCacheSize checks that Options.CacheSize bounds the client-side
// cache: with room for a few dozen sessions, the first of a thousand
// sessions read through the cache are no longer in it.
func TestCacheSize(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	writer := openStore(t, Options{Addrs: []string{srv.Addr}})
	tests := []struct {
		size    int
		evicted bool
	}{{64 << 10, true}, {0, false}}
	const n = 1000
	ids := make([]authgate.Hash, n)
	for i := range ids {
		s := newSession("u1")
		if err := writer.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
		ids[i] = s.ID
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.size), func(t *testing.T) {
			reader := openStore(t, Options{Addrs: []string{srv.Addr}, CacheTTL: time.Hour, CacheSize: tt.size})
			for range 2 { // found, then cached
				for _, id := range ids {
					if _, err := reader.Session(ctx, id); err != nil {
						t.Fatalf("Session: %v", err)
					}
				}
			}
			before := hmgetCalls(t, srv)
			const first = 10
			for _, id := range ids[:first] {
				if _, err := reader.Session(ctx, id); err != nil {
					t.Fatalf("Session: %v", err)
				}
			}
			got := hmgetCalls(t, srv) - before
			if tt.evicted && got != first || !tt.evicted && got != 0 {
				t.Errorf("reading the first %d of %d cached sessions again reached Redis %d times, want %d evicted: %v",
					first, n, got, first, tt.evicted)
			}
		})
	}
}
