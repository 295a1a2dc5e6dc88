package main

import (
	"context"
	"fmt"
	"time"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/redisstore"
)

// redis starts a redis-server, fills it with n sessions through the gate
// (with another client than the one measured, as if other instances of the
// app had signed the users in), measures used_memory, and times lookups
// with and without client-side caching, and gated page loads. Then the
// measured client reads every session, twice, so that each has been
// cached, and the warm set is timed again: with a cache of cacheSize
// bytes for each connection, too small for every session when n is large,
// the sessions in use must still come from the cache.
func redis(ctx context.Context, n, lookups, cacheSize int, dir string) ([]row, error) {
	srv, err := bench.StartRedis(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	before, err := srv.UsedMemory(ctx)
	if err != nil {
		return nil, err
	}
	opts := redisstore.Options{Addrs: []string{srv.Addr}, Prefix: "scale:", CacheSize: cacheSize}
	cached, err := bench.OpenRedis(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer cached.Close()
	g, err := bench.NewGate("redis", cached.Serve, cached.Signer, nil)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	f, err := fill(ctx, g, n, lookups, 64)
	if err != nil {
		return nil, err
	}
	fillTime := time.Since(start)
	after, err := srv.UsedMemory(ctx)
	if err != nil {
		return nil, err
	}
	perSession := float64(after-before) / float64(n)

	cold, err := lookupTimes(ctx, cached.Serve, f)
	if err != nil {
		return nil, err
	}
	warm, err := cachedLookupTimes(ctx, cached.Serve, f)
	if err != nil {
		return nil, err
	}
	// A touch makes this client read the session past its cache for the
	// cache's TTL: the steady passes let that pass.
	settle := redisstore.DefaultCacheTTL + time.Second
	first, again, err := gatedPasses(ctx, g.Handler(), f, settle)
	if err != nil {
		return nil, err
	}
	rows := []row{{
		store: "redis", bytes: perSession, bytesWhat: "used_memory", cold: cold, warm: warm, gatedFirst: first, gatedAgain: again, fill: fillTime,
		extraComment: fmt.Sprintf("used_memory grew by %.1f MB, the sessions' hashes and their users' indexes", float64(after-before)/1e6),
	}}

	// Every session read through the cache, then the warm set again.
	heapBefore := liveHeap()
	all := &filled{ids: f.ids, sample: make([]int, n)}
	for i := range all.sample {
		all.sample[i] = i
	}
	for range 2 { // the first read finds a session, the second caches it
		if _, err := lookupTimes(ctx, cached.Serve, all); err != nil {
			return nil, err
		}
	}
	heapAfter := liveHeap()
	warmAll, err := cachedLookupTimes(ctx, cached.Serve, f)
	if err != nil {
		return nil, err
	}
	againAll, err := steadyGatedTimes(ctx, g.Handler(), f, settle)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{store: "redis, after reading all", warm: warmAll, gatedAgain: againAll,
		extraComment: fmt.Sprintf("after the measured client read all %d sessions through its cache (%d MiB for each connection), its heap had grown by %.0f bytes a session",
			n, cacheSize>>20, (float64(heapAfter)-float64(heapBefore))/float64(n))})

	// The same data read without the client-side cache.
	opts.NoCache = true
	ncOn, err := bench.OpenRedis(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer ncOn.Close()
	rt, err := lookupTimes(ctx, ncOn.Serve, f)
	if err != nil {
		return nil, err
	}
	againNC, err := noCacheGatedTimes(ctx, "redis-nocache", ncOn, f)
	if err != nil {
		return nil, err
	}
	rows = append(rows, row{store: "redis-nocache", cold: rt, gatedAgain: againNC})
	return rows, nil
}
