package main

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/memstore"
)

// memory measures the memory store: the heap bytes per session, with
// every session's strings its own (as when each came from its own sign-in
// request) and with them shared (the store's own structure), then lookups
// and gated page loads on a store filled through the gate.
func memory(ctx context.Context, n, lookups int) ([]row, error) {
	// Shared first: the interned strings of the other measurement are
	// let go of in the background for a while after it, which would take
	// bytes off this one.
	shared, err := heapPerSession(ctx, n, false)
	if err != nil {
		return nil, err
	}
	own, err := heapPerSession(ctx, n, true)
	if err != nil {
		return nil, err
	}

	st := memstore.New()
	g, err := bench.NewGate("memory", st, st, nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	f, err := fill(ctx, g, n, lookups, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	fillTime := time.Since(start)
	cold, err := lookupTimes(ctx, st, f)
	if err != nil {
		return nil, err
	}
	first, again, err := gatedPasses(ctx, g.Handler(), f, 0)
	if err != nil {
		return nil, err
	}
	return []row{
		{store: "memory", bytes: own, bytesWhat: "Go heap, strings of its own", cold: cold, gatedFirst: first, gatedAgain: again, fill: fillTime,
			extraComment: fmt.Sprintf("%.0f bytes per session with the strings shared (the store's own structure: the record, its hash-table slot, its user's chain); the strings are a %d-byte User-Agent, a user id, a name and an address", shared, len(bench.BrowserUA))},
	}, nil
}

// heapPerSession fills a new memory store with n sessions and returns the
// growth of the live heap divided by n. With own, each session's strings
// are allocated for it; without, all share one copy.
func heapPerSession(ctx context.Context, n int, own bool) (float64, error) {
	now := time.Now()
	base := authgate.Session{
		UserAgent:   bench.BrowserUA,
		CreatedAt:   now,
		LastSeen:    now,
		IdleTimeout: bench.IdleTimeout,
		Expires:     now.Add(bench.Lifetime),
		UserID:      "u-0000001",
		UserName:    "User 1",
		Address:     "198.51.100.1",
	}
	before := liveHeap()
	st := memstore.New()
	for i := range n {
		s := base
		s.ID = authgate.HashOf([]byte(fmt.Sprint(i)))
		if own {
			u := i / sessionsPerUser
			s.UserAgent = strings.Clone(bench.BrowserUA)
			s.UserID = fmt.Sprintf("u-%07d", u)
			s.UserName = fmt.Sprintf("User %d", u)
			s.Address = fmt.Sprintf("198.51.%d.%d", i>>8&255, i&255)
		}
		if err := st.CreateSession(ctx, s); err != nil {
			return 0, err
		}
	}
	after := liveHeap()
	runtime.KeepAlive(st)
	return (float64(after) - float64(before)) / float64(n), nil
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// printMemSizes prints heapPerSession, strings shared, for each size in
// the comma-separated list sizes: a Go map's bytes per entry rise and fall
// with its size as it grows.
func printMemSizes(ctx context.Context, sizes string) error {
	fmt.Println("| sessions | heap bytes per session, strings shared |")
	fmt.Println("|---:|---:|")
	for _, f := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n <= 0 {
			return fmt.Errorf("-memsizes: %q is not a number of sessions", f)
		}
		b, err := heapPerSession(ctx, n, false)
		if err != nil {
			return err
		}
		fmt.Printf("| %d | %.0f |\n", n, b)
	}
	return nil
}
