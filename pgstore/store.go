package pgstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// Defaults for the zero fields of Options.
const (
	// DefaultTimeout bounds connecting and each database call.
	DefaultTimeout = 2 * time.Second
	// DefaultCheckEvery is how often the LISTEN connection is checked.
	DefaultCheckEvery = 250 * time.Millisecond
	// DefaultCacheSessions is how many sessions the read cache holds.
	DefaultCacheSessions = 100_000
	// DefaultCacheKeys is how many API keys the read cache holds.
	DefaultCacheKeys = 10_000
)

// Options configures a Store. All fields are optional.
type Options struct {
	// Timeout bounds connecting to PostgreSQL and each call to it, besides
	// the caller's context. Default DefaultTimeout.
	Timeout time.Duration
	// CheckEvery is how often the LISTEN connection is checked when no
	// notification arrives; the cache is unused once it has not been heard
	// from for three times that. Default DefaultCheckEvery.
	CheckEvery time.Duration
	// CacheSessions and CacheKeys bound the read cache. Default
	// DefaultCacheSessions and DefaultCacheKeys.
	CacheSessions, CacheKeys int
	// NoCache turns the read cache off: every read is a query.
	NoCache bool
	// MaxConns bounds the pool of connections, besides the one that
	// listens. Default: pgxpool's (four, or the number of CPUs if more),
	// unless the connection string sets pool_max_conns.
	MaxConns int32
	// Now is the clock for what the store decides by the time: whether a
	// session is past its absolute deadline (RevokeUserSessions,
	// UserSessions, the purge). Default time.Now; give it the clock the
	// gate has in authgate.Config.Now.
	Now func() time.Time
	// Logger receives the store's warnings (the LISTEN connection lost and
	// found again). Default slog.Default().
	Logger *slog.Logger
}

// Store keeps sessions, API keys and users in PostgreSQL. It implements
// authgate.Store and is safe for concurrent use. Make one with Open and
// Close it when done.
type Store struct {
	pool *pgxpool.Pool
	opts Options

	sessions *storekit.Cache[authgate.Hash, authgate.Session]
	keys     *storekit.Cache[string, authgate.APIKey]

	epoch time.Time    // the monotonic origin of heard
	heard atomic.Int64 // since epoch: when the LISTEN connection was last known alive; 0: never

	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var _ authgate.Store = (*Store)(nil)

// Open connects to the database that connString names (see the package
// doc), creates or upgrades the schema and starts listening for other
// instances' changes. It fails if PostgreSQL does not answer within
// Options.Timeout.
func Open(ctx context.Context, connString string, opts Options) (*Store, error) {
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.CheckEvery == 0 {
		opts.CheckEvery = DefaultCheckEvery
	}
	if opts.CacheSessions == 0 {
		opts.CacheSessions = DefaultCacheSessions
	}
	if opts.CacheKeys == 0 {
		opts.CacheKeys = DefaultCacheKeys
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Timeout < 0 || opts.CheckEvery < 0 || opts.CacheSessions < 0 || opts.CacheKeys < 0 || opts.MaxConns < 0 {
		return nil, errors.New("pgstore: Options may not hold negative values")
	}
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		// pgx's message may quote the connection string, password and all.
		return nil, errors.New("pgstore: the connection string does not parse")
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > opts.Timeout {
		cfg.ConnConfig.ConnectTimeout = opts.Timeout
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s := &Store{
		pool:     pool,
		opts:     opts,
		sessions: storekit.NewCache[authgate.Hash, authgate.Session](opts.CacheSessions),
		keys:     storekit.NewCache[string, authgate.APIKey](opts.CacheKeys),
		epoch:    time.Now(),
		done:     make(chan struct{}),
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	lctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	if opts.NoCache {
		close(s.done)
		return s, nil
	}
	l, err := s.listen(ctx)
	if err != nil {
		stop()
		pool.Close()
		return nil, err
	}
	go s.watch(lctx, l)
	return s, nil
}

// Close stops listening, waits for it and closes the pool, waiting for
// calls in flight. Calls after Close fail. Close may be called more than
// once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		s.pool.Close()
	})
	return nil
}

// Ping checks that PostgreSQL answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	return wrap(ctx, "ping", s.pool.Ping(ctx))
}
