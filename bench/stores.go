package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/memstore"
	"github.com/authgate/authgate/pgstore"
	"github.com/authgate/authgate/redisstore"
	"github.com/authgate/authgate/sqlitestore"
)

// Store kinds that OpenStore knows.
const (
	StoreMemory          = "memory"
	StoreSQLite          = "sqlite"
	StoreRedis           = "redis"            // with client-side caching, the default
	StoreRedisNoCache    = "redis-nocache"    // every read a round trip
	StorePostgres        = "postgres"         // with pgstore's read cache, the default
	StorePostgresNoCache = "postgres-nocache" // every read a query
)

// Servers are the database servers of the stores that need one. A store
// whose server is empty is left out of Contenders, and OpenStore refuses
// it.
type Servers struct {
	// Redis is a Redis server's host:port.
	Redis string
	// Postgres is a PostgreSQL connection URL.
	Postgres string
}

// Stores is an authgate store opened for a benchmark.
type Stores struct {
	// Serve is the store the measured gate uses.
	Serve authgate.Store
	// Signer is the store sessions are made through: Serve itself, or on
	// Redis a second client of the same data, standing for another
	// instance of the app.
	Signer authgate.Store
	// Close releases both.
	Close func() error
}

// OpenStore opens an authgate store of the given kind: SQLite in a new file
// in dir, Redis on srv.Redis under a prefix of its own, PostgreSQL on
// srv.Postgres.
func OpenStore(ctx context.Context, kind, dir string, srv Servers) (Stores, error) {
	switch kind {
	case StoreMemory:
		st := memstore.New()
		return Stores{Serve: st, Signer: st, Close: func() error { return nil }}, nil
	case StoreSQLite:
		st, err := sqlitestore.Open(ctx, filepath.Join(dir, "authgate-"+randomHex(4)+".db"))
		if err != nil {
			return Stores{}, err
		}
		return Stores{Serve: st, Signer: st, Close: st.Close}, nil
	case StoreRedis, StoreRedisNoCache:
		if srv.Redis == "" {
			return Stores{}, ErrNoRedis
		}
		return OpenRedis(ctx, redisstore.Options{Addrs: []string{srv.Redis}, Prefix: "b" + randomHex(4) + ":", NoCache: kind == StoreRedisNoCache})
	case StorePostgres, StorePostgresNoCache:
		if srv.Postgres == "" {
			return Stores{}, ErrNoPostgres
		}
		return OpenPostgres(ctx, srv.Postgres, pgstore.Options{NoCache: kind == StorePostgresNoCache})
	}
	return Stores{}, fmt.Errorf("unknown store %q", kind)
}

// NewGateOn returns the authgate contender "authgate-<kind>".
func NewGateOn(ctx context.Context, kind, dir string, srv Servers) (*Gate, error) {
	st, err := OpenStore(ctx, kind, dir, srv)
	if err != nil {
		return nil, err
	}
	g, err := NewGate("authgate-"+kind, st.Serve, st.Signer, st.Close)
	if err != nil {
		_ = st.Close()
	}
	return g, err
}

// Contenders returns every contender: the bare handler, authgate on each
// store (on Redis and PostgreSQL only when srv has their server), scs on
// its memstore and on SQLite, and gorilla's CookieStore. SQLite files go
// in dir.
func Contenders(ctx context.Context, dir string, srv Servers) ([]Contender, error) {
	kinds := []string{StoreMemory, StoreSQLite}
	if srv.Redis != "" {
		kinds = append(kinds, StoreRedis, StoreRedisNoCache)
	}
	if srv.Postgres != "" {
		kinds = append(kinds, StorePostgres, StorePostgresNoCache)
	}
	out := []Contender{Bare{}}
	fail := func(err error) ([]Contender, error) {
		for _, c := range out {
			_ = c.Close()
		}
		return nil, err
	}
	for _, k := range kinds {
		g, err := NewGateOn(ctx, k, dir, srv)
		if err != nil {
			return fail(fmt.Errorf("opening the %s store: %w", k, err))
		}
		out = append(out, g)
	}
	out = append(out, NewSCSMemstore())
	s, err := NewSCSSQLite(ctx, filepath.Join(dir, "scs-"+randomHex(4)+".db"))
	if err != nil {
		return fail(err)
	}
	out = append(out, s, NewGorilla())
	return out, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// OpenRedis opens two Redis stores with opts: Serve, the one measured,
// and Signer, a second client standing for another instance of the app.
func OpenRedis(ctx context.Context, opts redisstore.Options) (Stores, error) {
	return openTwo(func() (*redisstore.Store, error) { return redisstore.New(ctx, opts) })
}

// openTwo opens a store twice with open: Serve, the one measured, and
// Signer, standing for another instance of the app on the same data.
// Close closes both.
func openTwo[S interface {
	authgate.Store
	Close() error
}](open func() (S, error)) (Stores, error) {
	st, err := open()
	if err != nil {
		return Stores{}, err
	}
	signer, err := open()
	if err != nil {
		_ = st.Close()
		return Stores{}, err
	}
	return Stores{Serve: st, Signer: signer, Close: func() error {
		return errors.Join(signer.Close(), st.Close())
	}}, nil
}
