// Command load measures signed-in page loads over loopback HTTP: requests
// per second and latency through authgate's Require, on each store,
// against the same server without the gate.
//
// Each server runs in a process of its own (this program, started again
// with -serve) holding -sessions live sessions, whose last-seen times are
// spread over the last minute as in steady use; the requests spread over
// all of them, and each session's cookies are kept up to date from the
// responses, as a browser would.
//
// The machine may be shared, so every figure is taken beside the bare
// server's in the same round and each round alternates which goes first:
//
//   - closed loop: -conns connections send page loads as fast as they are
//     answered, to the bare server and then to the gated one (or the other
//     way round), -duration each. This gives requests per second and
//     latency at saturation.
//   - paired closed loop: the same connections send their requests
//     alternately to both servers, -duration. This gives each server
//     process's CPU time per request, read from /proc, measured over the
//     same moments for both, so that the ratio of the two (the ratio of
//     the servers' capacities) holds whatever else the machine is doing.
//   - paired open loop: -rate requests per second, due at fixed times
//     whatever happened to the ones before, alternately to the two servers,
//     so that both see the same machine at the same moments. This gives
//     latency at a load both can carry.
//
// The table gives, for each store, the median over -rounds rounds of each
// figure and of each round's gated-to-bare ratio.
//
// Usage:
//
//	go run ./cmd/load [-stores memory,sqlite,redis,postgres] [-sessions 10000]
//	    [-rounds 5] [-duration 3s] [-warmup 1s] [-conns 16] [-rate 2000]
//	    [-serverprofiles DIR] [-pg URL]
//
// Redis rows run when redis-server is on PATH; the program starts its own
// on a free port and kills it at the end. PostgreSQL rows run when
// PostgreSQL is installed (Debian's postgresql package): the program runs
// initdb in a temporary directory and starts its own server (fsync off,
// over a Unix socket), stopped and removed at the end; or, with -pg, it
// uses the database that URL names (a password from PGPASSWORD or
// ~/.pgpass, never in the URL).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"time"

	"github.com/authgate/authgate/bench"
)

func main() {
	var (
		srv  serveFlags
		opts options
	)
	flag.BoolVar(&srv.serve, "serve", false, "run as a server process (used by the program itself)")
	flag.StringVar(&srv.store, "store", "", "with -serve: bare or a store kind")
	flag.StringVar(&srv.redis, "redis", "", "with -serve: the Redis server's address")
	pgURL := flag.String("pg", "", "a PostgreSQL database to use instead of a server of the program's own (with -serve: the one to use)")
	flag.StringVar(&srv.dir, "dir", "", "with -serve: where the SQLite file goes")
	flag.StringVar(&srv.cookies, "cookies", "", "with -serve: the file to write the sessions' cookies to")
	flag.StringVar(&srv.cpuprofile, "cpuprofile", "", "with -serve: write a CPU profile of the server to this file")
	flag.StringVar(&opts.profiles, "serverprofiles", "", "write a CPU profile of each server process, for the whole run, to DIR/<store>.pprof")
	stores := flag.String("stores", "", "comma-separated stores to gate with: memory, sqlite, redis, redis-nocache, postgres, postgres-nocache (default: memory,sqlite, redis when redis-server is on PATH, postgres when PostgreSQL is installed)")
	flag.IntVar(&opts.sessions, "sessions", 10_000, "live sessions the requests spread over")
	flag.IntVar(&opts.rounds, "rounds", 5, "rounds; each figure is the median over them")
	flag.DurationVar(&opts.duration, "duration", 3*time.Second, "length of each measured phase")
	flag.DurationVar(&opts.warmup, "warmup", time.Second, "unmeasured load before each closed loop")
	flag.IntVar(&opts.conns, "conns", 16, "connections of the closed loop")
	flag.IntVar(&opts.rate, "rate", 2000, "requests per second of the paired open loop, both servers together (0: skip it)")
	flag.Parse()
	srv.sessions = opts.sessions
	srv.pg = *pgURL
	opts.pg = *pgURL

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if srv.serve {
		err = serve(ctx, srv)
	} else {
		err = run(ctx, *stores, opts)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

// options are the driver's settings.
type options struct {
	sessions int
	rounds   int
	duration time.Duration
	warmup   time.Duration
	conns    int
	rate     int
	profiles string // directory for the servers' CPU profiles, or ""
	pg       string // a PostgreSQL URL, or "" for a server of the program's own
}

// run measures every store for opts.rounds rounds and prints the table.
func run(ctx context.Context, stores string, opts options) error {
	dir, err := os.MkdirTemp("", "authgate-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	configs := splitList(stores)
	servers, stopServers, err := startServers(ctx, dir, configs, opts.pg)
	if err != nil {
		return err
	}
	defer stopServers()
	if len(configs) == 0 {
		configs = []string{bench.StoreMemory, bench.StoreSQLite}
		if servers.Redis != "" {
			configs = append(configs, bench.StoreRedis)
		}
		if servers.Postgres != "" {
			configs = append(configs, bench.StorePostgres)
		}
	}

	fmt.Printf("load: %d sessions, %d rounds, %v phases, closed loop of %d connections, paired open loop at %d req/s; %d CPUs, GOMAXPROCS %d, %s\n",
		opts.sessions, opts.rounds, opts.duration, opts.conns, opts.rate, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	bare, err := startServer(ctx, "bare", dir, servers, opts.sessions, opts.profiles)
	if err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	defer bare.stop()
	gated := make(map[string]*server)
	for _, c := range configs {
		s, err := startServer(ctx, c, dir, servers, opts.sessions, opts.profiles)
		if err != nil {
			return fmt.Errorf("%s server: %w", c, err)
		}
		defer s.stop()
		gated[c] = s
	}

	results := make(map[string][]pair)
	for round := 1; round <= opts.rounds; round++ {
		for _, c := range configs {
			p, err := measurePair(ctx, bare, gated[c], opts, round%2 == 0)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", c, round, err)
			}
			fmt.Printf("round %d %-14s %s\n", round, c, p)
			results[c] = append(results[c], p)
		}
	}
	for _, s := range append([]*server{bare}, mapValues(gated, configs)...) {
		if err := s.stop(); err != nil {
			return fmt.Errorf("%s server: %w", s.config, err)
		}
	}
	fmt.Println()
	printTable(os.Stdout, configs, results, opts)
	return nil
}

// startServers starts the Redis and PostgreSQL servers that configs need
// (all that are installed when configs is empty), or uses pgURL for
// PostgreSQL, and returns a func that stops them.
func startServers(ctx context.Context, dir string, configs []string, pgURL string) (bench.Servers, func(), error) {
	var (
		srv   bench.Servers
		stops []func() error
	)
	stop := func() {
		for _, f := range stops {
			_ = f()
		}
	}
	need := func(prefix string) bool {
		if len(configs) == 0 {
			return true
		}
		for _, c := range configs {
			if strings.HasPrefix(c, prefix) {
				return true
			}
		}
		return false
	}
	if need("redis") {
		rs, err := bench.StartRedis(ctx, dir)
		switch {
		case errors.Is(err, bench.ErrNoRedis) && len(configs) == 0:
			slog.Info("redis-server is not on PATH: no Redis rows")
		case err != nil:
			return srv, stop, err
		default:
			stops = append(stops, rs.Close)
			srv.Redis = rs.Addr
		}
	}
	if need("postgres") {
		if pgURL != "" {
			srv.Postgres = pgURL
			return srv, stop, nil
		}
		ps, err := bench.StartPostgres()
		switch {
		case errors.Is(err, bench.ErrNoPostgres) && len(configs) == 0:
			slog.Info("PostgreSQL is not installed: no PostgreSQL rows")
		case err != nil:
			stop()
			return srv, func() {}, err
		default:
			stops = append(stops, ps.Close)
			srv.Postgres = ps.URL
		}
	}
	return srv, stop, nil
}

func mapValues(m map[string]*server, keys []string) []*server {
	out := make([]*server, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
