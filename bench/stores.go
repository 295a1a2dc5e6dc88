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
	"github.com/authgate/authgate/redisstore"
	"github.com/authgate/authgate/sqlitestore"
)

// Store kinds that OpenStore knows.
const (
	StoreMemory       = "memory"
	StoreSQLite       = "sqlite"
	StoreRedis        = "redis"         // with client-side caching, the default
	StoreRedisNoCache = "redis-nocache" // every read a round trip
)

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
// in dir, Redis on the server at redisAddr under a prefix of its own.
func OpenStore(ctx context.Context, kind, dir, redisAddr string) (Stores, error) {
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
		if redisAddr == "" {
			return Stores{}, ErrNoRedis
		}
		return OpenRedis(ctx, redisstore.Options{Addrs: []string{redisAddr}, Prefix: "b" + randomHex(4) + ":", NoCache: kind == StoreRedisNoCache})
	}
	return Stores{}, fmt.Errorf("unknown store %q", kind)
}

// NewGateOn returns the authgate contender "authgate-<kind>".
func NewGateOn(ctx context.Context, kind, dir, redisAddr string) (*Gate, error) {
	st, err := OpenStore(ctx, kind, dir, redisAddr)
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
// store (on Redis only when redisAddr is not empty), scs on its memstore
// and on SQLite, and gorilla's CookieStore. SQLite files go in dir.
func Contenders(ctx context.Context, dir, redisAddr string) ([]Contender, error) {
	kinds := []string{StoreMemory, StoreSQLite}
	if redisAddr != "" {
		kinds = append(kinds, StoreRedis, StoreRedisNoCache)
	}
	out := []Contender{Bare{}}
	fail := func(err error) ([]Contender, error) {
		for _, c := range out {
			_ = c.Close()
		}
		return nil, err
	}
	for _, k := range kinds {
		g, err := NewGateOn(ctx, k, dir, redisAddr)
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
	st, err := redisstore.New(ctx, opts)
	if err != nil {
		return Stores{}, err
	}
	signer, err := redisstore.New(ctx, opts)
	if err != nil {
		_ = st.Close()
		return Stores{}, err
	}
	return Stores{Serve: st, Signer: signer, Close: func() error {
		return errors.Join(signer.Close(), st.Close())
	}}, nil
}
