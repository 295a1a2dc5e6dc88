package main

import (
	"context"
	"fmt"
	"time"

	"github.com/authgate/authgate/bench"
	"github.com/authgate/authgate/pgstore"
)

// postgres fills a PostgreSQL database with n sessions (see pgFill; those
// made through the gate are signed in through a second store on the
// database, as if other instances of the app had signed the users in),
// measures the sessions table's size
// on disk, and times lookups without pgstore's read cache (each a query),
// with it, and gated page loads with and without it. It starts its own
// server unless url names a database.
func postgres(ctx context.Context, n, lookups int, url string) ([]row, error) {
	if url == "" {
		srv, err := bench.StartPostgres()
		if err != nil {
			return nil, err
		}
		defer srv.Close()
		url = srv.URL
	}
	cached, err := bench.OpenPostgres(ctx, url, pgstore.Options{})
	if err != nil {
		return nil, err
	}
	defer cached.Close()
	g, err := bench.NewGate("postgres", cached.Serve, cached.Signer, nil)
	if err != nil {
		return nil, err
	}
	f, signIns, copies, err := pgFill(ctx, g, url, n, lookups)
	if err != nil {
		return nil, err
	}
	rows, err := bench.Rows(ctx, url, "authgate_sessions")
	if err != nil {
		return nil, err
	}
	size, err := bench.TableBytes(ctx, url, "authgate_sessions")
	if err != nil {
		return nil, err
	}

	nc, err := bench.OpenPostgres(ctx, url, pgstore.Options{NoCache: true})
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	cold, err := lookupTimes(ctx, nc.Serve, f)
	if err != nil {
		return nil, err
	}
	warm, err := cachedLookupTimes(ctx, cached.Serve, f)
	if err != nil {
		return nil, err
	}
	// A touch drops the session from every instance's cache when its
	// notification arrives: a second is plenty for that.
	first, again, err := gatedPasses(ctx, g.Handler(), f, time.Second)
	if err != nil {
		return nil, err
	}
	againNC, err := noCacheGatedTimes(ctx, "postgres-nocache", nc, f)
	if err != nil {
		return nil, err
	}
	return []row{
		{store: "postgres", bytes: float64(size) / float64(n), bytesWhat: "pg_total_relation_size", cold: cold, warm: warm, gatedFirst: first, gatedAgain: again,
			extraComment: fmt.Sprintf("authgate_sessions holds %d rows in %.1f MB with its indexes (pg_total_relation_size after a CHECKPOINT); %d sessions signed in through the gate in %v, the other %d copied in in %v; lookups without the read cache, each a query over a Unix socket",
				rows, float64(size)/1e6, lookups, signIns.Round(time.Second), n-lookups, copies.Round(time.Second))},
		{store: "postgres-nocache", gatedAgain: againNC},
	}, nil
}
