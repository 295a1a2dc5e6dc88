// Command scale fills authgate's stores with a million sessions and
// measures what one costs: the time to look one up (p50, p99), and the
// bytes each takes, on disk for SQLite, in Redis's used_memory for Redis,
// on disk for PostgreSQL (pg_total_relation_size of the sessions table),
// and on the Go heap for the memory store.
//
// Usage:
//
//	go run ./cmd/scale [-stores memory,sqlite,redis] [-n 1000000] [-lookups 100000] [-dir DIR]
//	    [-sqliteprofile FILE] [-rediscache BYTES] [-pg URL]
//	go run ./cmd/scale -memsizes 100000,500000,1000000
//
// Lookups go to -lookups sessions picked at random, each looked up once
// (SQLite: on a store opened afresh, so that each reads the database;
// Redis: each a round trip, as a first read is). "Cached" lookups go to
// 10,000 of them, read once unmeasured and then measured, from the
// store's cache where it has one. A gated GET is a signed-in page load
// through Require. Every session was last seen two minutes before the
// run, so the "first" page load on each sampled session (on a store opened
// afresh) reads it and touches it, a store write, as a session's first
// request in over a minute does. "Steady" page loads go to the 10,000
// again, three times, the third measured, within one touch slot: the path
// of a session in use. (On Redis, after the first pass they wait out the
// client-side cache's TTL, since the store reads past its cache for that
// long after its own writes.) The Redis rows start their own redis-server
// on a free port, killed at the end; they are skipped when redis-server is
// not on PATH. On Redis, the measured client then reads every session
// twice, so that each passes through its cache (-rediscache bytes for each
// connection), and the cached lookups and steady page loads of the 10,000
// are timed again ("redis, after reading all").
//
// PostgreSQL (-stores postgres, not run by default): the program runs
// initdb in a temporary directory and starts its own server (fsync off,
// over a Unix socket), stopped and removed at the end, or fills the
// database -pg names (a password from PGPASSWORD or ~/.pgpass, never in
// the URL). Its lookups are without pgstore's read cache, each a query;
// its cached lookups and page loads with it, and a "postgres-nocache" row
// gives the steady page loads without it.
//
// It takes a few minutes and a few hundred megabytes of disk and memory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/redisstore"
)

func main() {
	stores := flag.String("stores", "memory,sqlite,redis", "comma-separated stores to fill: memory, sqlite, redis, postgres")
	pgURL := flag.String("pg", "", "a PostgreSQL database to fill instead of a server of the program's own")
	n := flag.Int("n", 1_000_000, "sessions to store")
	lookups := flag.Int("lookups", 100_000, "lookups to time, each on another random session")
	dir := flag.String("dir", "", "where the SQLite file and Redis's files go (default: a new temporary directory, removed at the end)")
	profile := flag.String("sqliteprofile", "", "write a CPU profile of SQLite's lookups from the database to this file")
	cacheSize := flag.Int("rediscache", redisstore.DefaultCacheSize, "the Redis store's client-side cache for each connection, in bytes (redisstore.Options.CacheSize)")
	memSizes := flag.String("memsizes", "", "instead of the run: print the memory store's heap bytes per session, strings shared, at each of these comma-separated numbers of sessions")
	flag.Parse()
	if *memSizes != "" {
		if err := printMemSizes(context.Background(), *memSizes); err != nil {
			fmt.Fprintln(os.Stderr, "scale:", err)
			os.Exit(1)
		}
		return
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, strings.Split(*stores, ","), *n, *lookups, *cacheSize, *dir, *profile, *pgURL); err != nil {
		fmt.Fprintln(os.Stderr, "scale:", err)
		os.Exit(1)
	}
}

// row is one store's figures.
type row struct {
	store        string
	bytes        float64 // per session
	bytesWhat    string
	cold, warm   []time.Duration // lookup latencies
	gatedFirst   []time.Duration // page loads, each the session's first in over a minute
	gatedAgain   []time.Duration // page loads on the warm set, steady
	fill         time.Duration   // time to store every session
	extraComment string
}

func run(ctx context.Context, stores []string, n, lookups, cacheSize int, dir, profile, pgURL string) error {
	if lookups > n {
		lookups = n
	}
	if dir == "" {
		d, err := os.MkdirTemp("", "authgate-scale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	fmt.Printf("scale: %d sessions, %d lookups; %d CPUs, %s\n", n, lookups, runtime.NumCPU(), runtime.Version())
	var rows []row
	for _, s := range stores {
		var (
			rs  []row
			err error
		)
		start := time.Now()
		switch strings.TrimSpace(s) {
		case "memory":
			rs, err = memory(ctx, n, lookups)
		case "sqlite":
			rs, err = sqlite(ctx, n, lookups, dir, profile)
		case "redis":
			rs, err = redis(ctx, n, lookups, cacheSize, dir)
			if errors.Is(err, bench.ErrNoRedis) {
				fmt.Println("redis-server is not on PATH: no Redis rows")
				continue
			}
		case "postgres":
			rs, err = postgres(ctx, n, lookups, pgURL)
			if errors.Is(err, bench.ErrNoPostgres) {
				fmt.Println("PostgreSQL is not installed: no PostgreSQL rows")
				continue
			}
		default:
			err = fmt.Errorf("unknown store %q", s)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		fmt.Printf("%s done in %v\n", s, time.Since(start).Round(time.Second))
		rows = append(rows, rs...)
	}
	fmt.Println()
	printTable(rows, n)
	return nil
}

func printTable(rows []row, n int) {
	fmt.Printf("| store (%d sessions) | bytes per session | lookup p50 | lookup p99 | cached p50 | cached p99 | gated GET, first p50 | p99 | gated GET, steady p50 | p99 | fill time |\n", n)
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	cell := func(l []time.Duration, p float64) string {
		if len(l) == 0 {
			return "–"
		}
		return bench.FormatDuration(bench.Percentile(l, p))
	}
	for _, r := range rows {
		b := "–"
		if r.bytes > 0 {
			b = fmt.Sprintf("%.0f (%s)", r.bytes, r.bytesWhat)
		}
		fill := "–"
		if r.fill > 0 {
			fill = r.fill.Round(time.Second).String()
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.store, b,
			cell(r.cold, 50), cell(r.cold, 99), cell(r.warm, 50), cell(r.warm, 99),
			cell(r.gatedFirst, 50), cell(r.gatedFirst, 99), cell(r.gatedAgain, 50), cell(r.gatedAgain, 99), fill)
	}
	for _, r := range rows {
		if r.extraComment != "" {
			fmt.Printf("\n%s: %s\n", r.store, r.extraComment)
		}
	}
}
