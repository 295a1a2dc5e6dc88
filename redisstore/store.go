package redisstore

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// Defaults for the zero fields of Options.
const (
	// DefaultPrefix starts every key the store writes.
	DefaultPrefix = "ag:"
	// DefaultCacheTTL is how long a session or key read stays in the
	// client-side cache at most. Invalidations from Redis end it sooner.
	DefaultCacheTTL = 5 * time.Second
	// DefaultTimeout bounds dialing and waiting for a reply.
	DefaultTimeout = 2 * time.Second
	// DefaultKeyRetention is how long an expired API key stays in Redis.
	DefaultKeyRetention = 30 * 24 * time.Hour
	// DefaultCacheSize is the client-side cache's size for each connection
	// to a Redis server, in bytes: 128 MiB.
	DefaultCacheSize = 128 << 20
)

// Options configures a Store. Only Addrs is required.
type Options struct {
	// Addrs lists Redis servers as host:port. For a Redis Cluster, list one
	// or more of its nodes; the store finds the others.
	Addrs []string
	// Username and Password authenticate to Redis (AUTH). Both may be
	// empty.
	Username string
	Password string
	// DB selects a database on a single server. A cluster has only DB 0.
	DB int
	// TLS, when set, connects over TLS with this configuration.
	TLS *tls.Config

	// Prefix starts every key name. Default DefaultPrefix. Apps that share
	// a Redis set their own. It may not contain '{' or '}'.
	Prefix string
	// CacheTTL is how long a session or key read may be served from the
	// client-side cache before asking Redis again, if Redis has not already
	// invalidated it. Default DefaultCacheTTL. For this long after the
	// Store itself writes a record (a sign-in, a touch, a revocation), it
	// reads that record from Redis, so that it always sees its own writes.
	CacheTTL time.Duration
	// CacheSize bounds the client-side cache of each connection to a Redis
	// server, in bytes. Default DefaultCacheSize. The store keeps one
	// connection to each node of a cluster, and to a single server one on a
	// machine with one CPU, two with two or three, four with more; each
	// caches the records whose keys fall to it. A cached session takes
	// about 1.2 KB. When a connection's cache is full it drops the
	// records it fetched from Redis longest ago; since every cached record
	// is fetched again at least every CacheTTL, a cache with room for the
	// records read within one CacheTTL keeps serving the ones in use,
	// however many others exist or have been read. Redis's own
	// tracking-table-max-keys bounds, across all clients, the keys it
	// tracks; see docs/OPERATIONS.md.
	CacheSize int
	// NoCache turns client-side caching off: every read is a round trip.
	// For comparison, and for Redis-compatible servers without CLIENT
	// TRACKING.
	NoCache bool
	// Timeout bounds dialing Redis and waiting for a reply on a connection
	// that has gone quiet. Default DefaultTimeout. Calls also end when
	// their context does.
	Timeout time.Duration
	// KeyRetention is how long Redis keeps an API key after its expiry.
	// Default DefaultKeyRetention.
	KeyRetention time.Duration
	// Now is the clock for what the store decides by the time: whether a
	// session is past its absolute deadline (RevokeUserSessions,
	// UserSessions). Default time.Now; give it the clock the gate has in
	// authgate.Config.Now. Redis itself deletes a session's record at its
	// deadline by the server's clock.
	Now func() time.Time
	// Logger receives the store's warnings, such as the one New gives for a
	// Redis that keeps no data across a restart. Default slog.Default().
	Logger *slog.Logger
}

// Store keeps sessions, API keys and users in Redis. It implements
// authgate.Store and is safe for concurrent use. Make one with New or Open
// and Close it when done.
type Store struct {
	client    rueidis.Client
	keys      keyspace
	scripts   scripts
	schema    schema
	recent    *keyWindow // records written lately; nil without client-side caching
	found     *keyWindow // records found lately; nil without client-side caching
	cacheTTL  time.Duration
	retention time.Duration
	now       func() time.Time
	closeOnce sync.Once
}

var _ authgate.Store = (*Store)(nil)

// maxRetries is how many times a read is retried on a network error before
// the error is returned, so that an outage fails requests quickly.
const maxRetries = 2

// New connects to Redis as opts says, checks that it answers and returns a
// Store. A single address that belongs to a Redis Cluster connects to the
// whole cluster. New warns through Options.Logger when a Redis server keeps
// no data across a restart (neither RDB snapshots nor AOF): users and API
// keys would be lost with the sessions.
func New(ctx context.Context, opts Options) (*Store, error) {
	if len(opts.Addrs) == 0 {
		return nil, errors.New("redisstore: Options.Addrs is empty")
	}
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if strings.ContainsAny(opts.Prefix, "{}") {
		return nil, errors.New("redisstore: Options.Prefix may not contain '{' or '}'")
	}
	if opts.CacheTTL == 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.Timeout == 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.KeyRetention == 0 {
		opts.KeyRetention = DefaultKeyRetention
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheSize == 0 {
		opts.CacheSize = DefaultCacheSize
	}
	if opts.CacheTTL < 0 || opts.Timeout < 0 || opts.KeyRetention < 0 || opts.DB < 0 || opts.CacheSize < 0 {
		return nil, errors.New("redisstore: CacheTTL, CacheSize, Timeout, KeyRetention and DB may not be negative")
	}
	co := rueidis.ClientOption{
		InitAddress:       append([]string(nil), opts.Addrs...),
		Username:          opts.Username,
		Password:          opts.Password,
		SelectDB:          opts.DB,
		TLSConfig:         opts.TLS,
		DisableCache:      opts.NoCache,
		CacheSizeEachConn: opts.CacheSize,
		ConnWriteTimeout:  opts.Timeout,
		RetryDelay:        retryDelay,
		ClientName:        "authgate",
	}
	co.Dialer.Timeout = opts.Timeout
	client, err := rueidis.NewClient(co)
	if err != nil {
		return nil, fmt.Errorf("redisstore: connecting to %s: %w", strings.Join(opts.Addrs, ","), err)
	}
	s := &Store{
		client:    client,
		keys:      keyspace{prefix: opts.Prefix},
		scripts:   newScripts(),
		schema:    newSchema(),
		cacheTTL:  opts.CacheTTL,
		retention: opts.KeyRetention,
		now:       opts.Now,
	}
	if !opts.NoCache {
		s.recent = newKeyWindow(opts.CacheTTL)
		s.found = newKeyWindow(max(opts.CacheTTL, foundFor))
	}
	if err := s.Ping(ctx); err != nil {
		client.Close()
		return nil, err
	}
	s.warnWithoutPersistence(ctx, opts.Logger, opts.Timeout)
	return s, nil
}

// retryDelay lets rueidis retry a read a couple of times, quickly, over a
// connection that has just broken, then gives up so the caller sees the
// error instead of waiting for Redis to come back.
func retryDelay(attempts int, _ rueidis.Completed, _ error) time.Duration {
	if attempts > maxRetries {
		return -1
	}
	return time.Duration(attempts) * 5 * time.Millisecond
}

// Ping checks that Redis answers; on a cluster, every known node.
func (s *Store) Ping(ctx context.Context) error {
	for addr, node := range s.client.Nodes() {
		if err := node.Do(ctx, node.B().Ping().Build()).Error(); err != nil {
			return fmt.Errorf("redisstore: pinging %s: %w", addr, err)
		}
	}
	return nil
}

// Close closes the connections to Redis and waits for calls in flight.
// Calls after Close fail. Close may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(s.client.Close)
	return nil
}

// wrap adds the store's name and what it was doing to a Redis error.
func wrap(what string, err error) error {
	return fmt.Errorf("redisstore: %s: %w", what, err)
}

// foundFor is how long a record that a read found stays known to exist, so
// that it is read through the client-side cache rather than past it. Each
// read that finds it renews it.
const foundFor = 10 * time.Minute

// readCached reads the given fields of a record, from the client-side
// cache when it may.
//
// Only records known to exist are read through the cache. A cached read
// makes Redis track the key for this client until it changes, and a key
// that does not exist never changes: every forged session token would stay
// in Redis's tracking table, which is bounded, and past its bound Redis
// evicts real sessions' entries from every client's cache. So a record not
// found lately is read past the cache (untracked: the client tracks only
// the reads it asks to cache), and one that was found is cached from its
// next read on. Rejecting forged tokens before any lookup would need a
// secret shared by every instance to sign them; this needs nothing.
//
// A record stays known while it is read through the cache every few
// minutes (a read that finds it renews it, if it was not renewed in the
// last eighth of foundFor), so a session in use keeps being served from
// the cache however long it lives and however many other records this
// Store has read; one that a cached read no longer finds is forgotten.
func (s *Store) readCached(ctx context.Context, key string, fields []string) rueidis.RedisResult {
	if s.recent == nil {
		return s.client.Do(ctx, s.client.B().Hmget().Key(key).Field(fields...).Build())
	}
	left, known := s.found.left(key)
	if !known || s.recent.has(key) {
		r := s.client.Do(ctx, s.client.B().Hmget().Key(key).Field(fields...).Build())
		if _, found, err := newDecoder(r, len(fields)); err == nil && found {
			s.found.add(key)
		}
		return r
	}
	r := s.client.DoCache(ctx, s.client.B().Hmget().Key(key).Field(fields...).Cache(), s.cacheTTL)
	if _, found, err := newDecoder(r, len(fields)); err == nil {
		switch {
		case !found:
			s.found.forget(key)
		case left < s.found.window-s.found.window/8:
			s.found.add(key) // at most once in an eighth of the window
		}
	}
	return r
}

// readMany reads the given fields of several records in one round trip.
// On a cluster the records may live on different nodes.
func (s *Store) readMany(ctx context.Context, keys []string, fields []string) []rueidis.RedisResult {
	cmds := make(rueidis.Commands, len(keys))
	for i, key := range keys {
		cmds[i] = s.client.B().Hmget().Key(key).Field(fields...).Build()
	}
	return s.client.DoMulti(ctx, cmds...)
}

// wrote notes that this Store has just written the given cached records,
// so that it reads them back past the cache; see keyWindow.
func (s *Store) wrote(keys ...string) {
	if s.recent != nil {
		s.recent.add(keys...)
	}
}

// stopped fails a call whose context is done, the way every store does.
func stopped(ctx context.Context) error { return storekit.Stopped(ctx, "redisstore") }
