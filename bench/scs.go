package bench

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"time"

	"github.com/alexedwards/scs/sqlite3store"
	"github.com/alexedwards/scs/v2"
	"github.com/alexedwards/scs/v2/memstore"
)

// SCS is alexedwards/scs's LoadAndSave with an idle timeout in front of
// Handler, with the check an app writes by hand: no user id in the session,
// no entry.
type SCS struct {
	name   string
	sm     *scs.SessionManager
	store  *countingSCSStore
	closer func() error
}

// NewSCSMemstore returns scs on its memstore, with the cleanup goroutine an
// app gets from memstore.New. Close leaves that goroutine running: scs
// v2.9.0's StopCleanup reads the channel that the goroutine sets without a
// lock, a data race that -race reports when a test closes the store soon
// after opening it.
func NewSCSMemstore() *SCS {
	return newSCS("scs-memstore", memstore.New(), func() error { return nil })
}

// scsSchema is the table sqlite3store expects, from its README.
const scsSchema = `
CREATE TABLE IF NOT EXISTS sessions (
	token TEXT PRIMARY KEY,
	data BLOB NOT NULL,
	expiry REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions(expiry);`

// NewSCSSQLite returns scs on its sqlite3store, over modernc.org/sqlite in
// WAL mode with the pragmas of OpenSQLite, in a new database at path.
func NewSCSSQLite(ctx context.Context, path string) (*SCS, error) {
	db, err := OpenSQLite(path)
	if err != nil {
		return nil, err
	}
	if _, err := db.ExecContext(ctx, scsSchema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("creating the scs table: %w", err)
	}
	st := sqlite3store.New(db)
	return newSCS("scs-sqlite", st, func() error { st.StopCleanup(); return db.Close() }), nil
}

// OpenSQLite opens a database/sql handle on path with the modernc.org/sqlite
// driver, in WAL mode, with synchronous=NORMAL and a busy timeout: the usual
// settings for a web app's SQLite.
func OpenSQLite(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(ON)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return db, nil
}

func newSCS(name string, st scs.Store, close func() error) *SCS {
	c := &SCS{name: name, store: &countingSCSStore{Store: st}, closer: close}
	sm := scs.New()
	sm.Store = c.store
	sm.IdleTimeout = IdleTimeout
	sm.Lifetime = Lifetime
	sm.Cookie.Name = "session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.Secure = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	c.sm = sm
	return c
}

// Name returns the contender's name.
func (c *SCS) Name() string { return c.name }

// Handler returns Handler behind LoadAndSave and a user-id check.
func (c *SCS) Handler() http.Handler {
	next := Handler()
	return c.sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.sm.GetString(r.Context(), "user_id") == "" {
			loginRequired(w)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// SignIn puts the benchmark user in a new session and commits it. scs keeps
// no last-seen time apart from the store's expiry, so age only moves that.
func (c *SCS) SignIn(ctx context.Context, age time.Duration) (string, error) {
	token, err := c.newSession(ctx)
	if err != nil {
		return "", err
	}
	if age > 0 {
		if err := c.setExpiry(token, time.Now().Add(IdleTimeout-age)); err != nil {
			return "", err
		}
	}
	return "session=" + token, nil
}

// Expired returns a session whose stored expiry has passed, as scs leaves
// it after the idle timeout.
func (c *SCS) Expired(ctx context.Context) (string, error) {
	token, err := c.newSession(ctx)
	if err != nil {
		return "", err
	}
	if err := c.setExpiry(token, time.Now().Add(-time.Minute)); err != nil {
		return "", err
	}
	return "session=" + token, nil
}

func (c *SCS) newSession(ctx context.Context) (string, error) {
	ctx, err := c.sm.Load(ctx, "")
	if err != nil {
		return "", err
	}
	c.sm.Put(ctx, "user_id", BenchUserID)
	c.sm.Put(ctx, "user_name", BenchUserName)
	token, _, err := c.sm.Commit(ctx)
	return token, err
}

// setExpiry rewrites the session's stored expiry, keeping its data.
func (c *SCS) setExpiry(token string, expiry time.Time) error {
	b, found, err := c.store.Find(token)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("scs lost a session it just committed")
	}
	return c.store.Commit(token, b, expiry)
}

// Writes counts the store's Commit and Delete calls.
func (c *SCS) Writes() int64 { return c.store.writes.Load() }

// Close stops the store's cleanup and closes its database.
func (c *SCS) Close() error { return c.closer() }
