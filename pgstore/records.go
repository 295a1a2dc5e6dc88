package pgstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// Purging: sessions more than purgeGrace past their absolute deadline are
// deleted purgeFirst after Open and every purgeEvery after that.
const (
	purgeFirst = time.Minute
	purgeEvery = time.Hour
	purgeGrace = 24 * time.Hour
)

// toMS and fromMS are the store's time form, shared with the other stores.
func toMS(t time.Time) int64    { return storekit.ToMS(t) }
func fromMS(ms int64) time.Time { return storekit.FromMS(ms) }

// nullMS stores a time that may be zero: zero is NULL.
func nullMS(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	ms := toMS(t)
	return &ms
}

func fromNullMS(ms *int64) time.Time {
	if ms == nil {
		return time.Time{}
	}
	return fromMS(*ms)
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// readThrough returns c's copy of the record k while the cache is current,
// and otherwise loads it from the database and caches it. A record not
// found is not cached.
func readThrough[K comparable, V any](ctx context.Context, s *Store, c *storekit.Cache[K, V], k K,
	load func(*Store, context.Context, K) (V, error)) (V, error) {
	if err := stopped(ctx); err != nil {
		var zero V
		return zero, err
	}
	fresh := s.fresh()
	if fresh {
		if v, ok := c.Get(k); ok {
			return v, nil
		}
	}
	g := c.Generation()
	v, err := load(s, ctx, k)
	if err != nil || !fresh {
		return v, err
	}
	c.Fill(g, k, v)
	return v, nil
}

// queryAll runs a query and scans every row it returns.
func queryAll[T any](ctx context.Context, s *Store, op string, scan func(pgx.Row) (T, error), query string, args ...any) ([]T, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	return out, wrap(ctx, op, err)
}

// queryOne runs a query for one record; no row is authgate.ErrNotFound.
func queryOne[T any](ctx context.Context, s *Store, op string, scan func(pgx.Row) (T, error), query string, args ...any) (T, error) {
	ctx, cancel := s.call(ctx)
	defer cancel()
	v, err := scan(s.pool.QueryRow(ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return v, authgate.ErrNotFound
	}
	return v, wrap(ctx, op, err)
}

// exec runs a write and returns how many rows it changed.
func (s *Store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	tag, err := s.pool.Exec(ctx, query, args...)
	if err != nil {
		return 0, wrap(ctx, op, err)
	}
	return tag.RowsAffected(), nil
}

// execOne runs a write of one record: no row changed is
// authgate.ErrNotFound.
func (s *Store) execOne(ctx context.Context, op, query string, args ...any) error {
	n, err := s.exec(ctx, op, query, args...)
	if err == nil && n == 0 {
		err = authgate.ErrNotFound
	}
	return err
}

// advance runs a touch: query updates the row only if it moves a time
// forward and returns whether the row exists either way, so that a touch
// that moves nothing writes nothing.
func (s *Store) advance(ctx context.Context, op, query string, args ...any) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	ctx, cancel := s.call(ctx)
	defer cancel()
	var found bool
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&found); err != nil {
		return wrap(ctx, op, err)
	}
	if !found {
		return authgate.ErrNotFound
	}
	return nil
}

// purgeLogged deletes sessions long past their deadline, logging a
// failure.
func (s *Store) purgeLogged(ctx context.Context) {
	cut := toMS(s.opts.Now().Add(-purgeGrace))
	for {
		n, err := s.exec(ctx, "purge expired sessions", `DELETE FROM authgate_sessions WHERE id IN
			(SELECT id FROM authgate_sessions WHERE expires_at < $1 LIMIT 1000)`, cut)
		if err != nil {
			if ctx.Err() == nil {
				s.opts.Logger.Warn("pgstore: purging expired sessions", "err", err)
			}
			return
		}
		if n < 1000 {
			return
		}
	}
}
