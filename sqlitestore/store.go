// Package sqlitestore keeps authgate's sessions, API keys and users in an
// SQLite database file, through the pure-Go driver modernc.org/sqlite.
//
// It is the embedded default: no server, one file, and several processes
// may open the same file at once (the app and the authgate command, say).
//
// # Durability
//
// The database runs in WAL mode with synchronous=NORMAL: a write that
// returned is in the write-ahead log, in the operating system's hands, and
// survives the process being killed (SIGKILL included). Only a power loss
// or kernel crash can lose the last writes before a checkpoint. Since that
// would let a revoked session come back, revocations, password changes and
// user deletions are written with synchronous=FULL, which flushes the log
// to disk before returning. Sign-ins and touches are not: losing those to a
// power cut only signs someone out.
//
// # Reads
//
// The gate reads a session on every request, so the store keeps recently
// read sessions and API keys in memory (up to 100,000 sessions and 10,000
// keys). Its own writes update that cache. Writes by other processes are
// noticed through SQLite's data_version, checked every 100 ms, and drop the
// whole cache; a revocation made by the authgate command is seen by a
// running server within about 100 ms and never later than half a second,
// after which the store stops trusting its cache until it has checked.
//
// Times keep millisecond precision. Sessions more than a day past their
// absolute deadline are deleted, in the background, about once an hour.
package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is an authgate.Store over an SQLite file. Make one with Open and
// close it with Close. It is safe for concurrent use.
type Store struct {
	path string
	cfg  config
	w    *sql.DB // the single writer connection
	r    *sql.DB // a pool of read-only connections

	getSession *sql.Stmt // on r
	getKey     *sql.Stmt // on r

	sessions *storekit.Cache[authgate.Hash, authgate.Session]
	keys     *storekit.Cache[string, authgate.APIKey]

	epoch    time.Time    // the monotonic origin of verified
	verified atomic.Int64 // since epoch: when the cache was last known current
	checkMu  sync.Mutex   // serialises checks
	version  int64        // the writer's data_version at the last check; under checkMu

	stop      context.CancelFunc // stops the watcher and its queries
	done      chan struct{}      // closed when the watcher has returned
	closeOnce sync.Once
	closeErr  error
}

// Every authgate.Store method is implemented.
var _ authgate.Store = (*Store)(nil)

// config holds what Open fixes and tests change.
type config struct {
	busyTimeout time.Duration    // how long a write waits for another writer
	checkEvery  time.Duration    // how often data_version is read
	staleAfter  time.Duration    // cache unused when the last check is older
	purgeFirst  time.Duration    // delay from Open to the first purge
	purgeEvery  time.Duration    // interval between purges
	purgeGrace  time.Duration    // how long past Expires a session is kept
	maxSessions int              // cached sessions
	maxKeys     int              // cached keys
	now         func() time.Time // see WithClock
}

func defaultConfig() config {
	return config{
		busyTimeout: 5 * time.Second,
		checkEvery:  100 * time.Millisecond,
		staleAfter:  500 * time.Millisecond,
		purgeFirst:  time.Minute,
		purgeEvery:  time.Hour,
		purgeGrace:  24 * time.Hour,
		maxSessions: 100_000,
		maxKeys:     10_000,
		now:         time.Now,
	}
}

// Option changes how Open opens a Store.
type Option func(*config)

// WithClock makes the store read the time from now instead of time.Now, for
// what it decides by the clock: whether a session is past its absolute
// deadline (RevokeUserSessions, UserSessions and the purge of old
// sessions). Give it the clock the gate has in authgate.Config.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// Open opens the database at path, creating the file and its schema if
// they do not exist and upgrading an older schema. The file, its
// write-ahead log (-wal) and its index (-shm) hold password hashes, so Open
// creates them readable and writable by their owner only (0600), whatever
// the umask, and narrows existing ones that others may read or write to
// 0600; it refuses a file it cannot narrow, wrapping ErrCannotOpen. The directory must
// exist and, for the write-ahead log beside the file, be writable. A write
// waits up to five seconds for another process's write to finish.
//
// The errors it returns wrap ErrCannotOpen, ErrNotDatabase, ErrLocked (a
// new file whose schema another process holds locked), ErrReadOnly or
// ErrNewerSchema where one applies, and the underlying error.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		o(&cfg)
	}
	return open(ctx, path, cfg)
}

func open(ctx context.Context, path string, cfg config) (*Store, error) {
	abs, err := checkPath(path)
	if err != nil {
		return nil, err
	}
	if err := createFile(abs); err != nil {
		return nil, err
	}
	s := &Store{
		path:     abs,
		cfg:      cfg,
		sessions: storekit.NewCache[authgate.Hash, authgate.Session](cfg.maxSessions),
		keys:     storekit.NewCache[string, authgate.APIKey](cfg.maxKeys),
		epoch:    time.Now(),
		done:     make(chan struct{}),
	}
	op := "open " + abs
	busy := fmt.Sprintf("busy_timeout(%d)", cfg.busyTimeout.Milliseconds())
	s.w, err = sql.Open("sqlite", dsn(abs, url.Values{
		"_pragma": {busy, "synchronous(NORMAL)", "foreign_keys(1)"},
		// Transactions take the write lock at BEGIN, so that one never
		// fails half-way when it would upgrade from reading to writing.
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	// One writer: writes from this process queue here, not in SQLite's
	// busy handler, and never fail with SQLITE_BUSY among themselves.
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	fail := func(err error) (*Store, error) {
		s.w.Close()
		if s.r != nil {
			s.r.Close()
		}
		return nil, err
	}
	if err := s.w.PingContext(ctx); err != nil {
		return fail(wrap(ctx, op, err))
	}
	if err := s.migrate(ctx); err != nil { // sets WAL mode too
		return fail(err)
	}
	if err := narrowFiles(abs); err != nil {
		return fail(err)
	}

	s.r, err = sql.Open("sqlite", dsn(abs, url.Values{"_pragma": {busy, "query_only(1)"}}))
	if err != nil {
		return fail(wrap(ctx, op, err))
	}
	n := max(4, runtime.GOMAXPROCS(0))
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
	s.r.SetConnMaxLifetime(0)
	s.r.SetConnMaxIdleTime(0)
	if err := s.r.PingContext(ctx); err != nil {
		return fail(wrap(ctx, op, err))
	}
	if s.getSession, err = s.r.PrepareContext(ctx, selectSession); err != nil {
		return fail(wrap(ctx, op+": prepare", err))
	}
	if s.getKey, err = s.r.PrepareContext(ctx, selectKey); err != nil {
		return fail(wrap(ctx, op+": prepare", err))
	}
	if s.version, err = s.dataVersion(ctx); err != nil {
		return fail(err)
	}
	s.verified.Store(int64(time.Since(s.epoch)))

	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	go s.watch(wctx)
	return s, nil
}

// checkPath makes path absolute and checks that its directory exists, to
// say so plainly rather than leave it to SQLite's "unable to open".
func checkPath(path string) (string, error) {
	if path == "" {
		return "", fmt.Errorf("%w: empty path", ErrCannotOpen)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %w", ErrCannotOpen, path, err)
	}
	dir := filepath.Dir(abs)
	fi, err := os.Stat(dir)
	switch {
	case os.IsNotExist(err):
		return "", fmt.Errorf("%w: %s: the directory %s does not exist: %w", ErrCannotOpen, abs, dir, err)
	case err != nil:
		return "", fmt.Errorf("%w: %s: %w", ErrCannotOpen, abs, err)
	case !fi.IsDir():
		return "", fmt.Errorf("%w: %s: %s is not a directory", ErrCannotOpen, abs, dir)
	}
	if fi, err := os.Stat(abs); err == nil && fi.IsDir() {
		return "", fmt.Errorf("%w: %s is a directory", ErrCannotOpen, abs)
	}
	return abs, nil
}

// dsn returns the driver's name for the file at the absolute path abs with
// the driver's options q: pragmas the driver runs on every new connection,
// and the like.
func dsn(abs string, q url.Values) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(abs), OmitHost: true, RawQuery: q.Encode()}
	return u.String()
}

// Close stops the background work and closes the database. The store must
// not be used afterwards.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
		s.getSession.Close()
		s.getKey.Close()
		rerr := s.r.Close()
		werr := s.w.Close()
		if rerr != nil {
			s.closeErr = fmt.Errorf("sqlitestore: close %s: %w", s.path, rerr)
		}
		if werr != nil {
			s.closeErr = fmt.Errorf("sqlitestore: close %s: %w", s.path, werr)
		}
	})
	return s.closeErr
}

// durable runs one write with synchronous=FULL, so that it is on disk, not
// only in the operating system's cache, when it returns.
func (s *Store) durable(ctx context.Context, query string, args ...any) (sql.Result, error) {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous=FULL"); err != nil {
		return nil, err
	}
	res, err := conn.ExecContext(ctx, query, args...)
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous=NORMAL"); rerr != nil && err == nil {
		// The write is done and durable; the connection is left slower.
		return res, fmt.Errorf("restoring synchronous=NORMAL after a durable write: %w", rerr)
	}
	return res, err
}
