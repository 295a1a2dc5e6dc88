package sqlitestore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// stopped fails a call whose context is done, the way every store does.
func stopped(ctx context.Context) error { return storekit.Stopped(ctx, "sqlitestore") }

// scanner is a row that Scan reads: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs a query on the read pool and scans every row it returns.
func queryAll[T any](ctx context.Context, s *Store, op string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap(ctx, op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, wrap(ctx, op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap(ctx, op, err)
	}
	return out, nil
}

// updateAll runs a durable update of many records, calls clearCache if it
// changed any, and returns how many it changed.
func (s *Store) updateAll(ctx context.Context, op string, clearCache func(), query string, args ...any) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	res, err := s.durable(ctx, query, args...)
	if err != nil {
		return 0, wrap(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, wrap(ctx, op, err)
	}
	if n > 0 {
		clearCache()
	}
	return int(n), nil
}

// updateOne runs an update of one record, durably if durable says so,
// then changes the cached copy the same way with cached.
func (s *Store) updateOne(ctx context.Context, op string, durable bool, cached func(), query string, args ...any) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	exec := s.w.ExecContext
	if durable {
		exec = s.durable
	}
	res, err := exec(ctx, query, args...)
	if err := changed(ctx, op, res, err); err != nil {
		return err
	}
	cached()
	return nil
}

// changed checks the outcome of an update of one record: it wraps err, or
// returns authgate.ErrNotFound if the update matched no row.
func changed(ctx context.Context, op string, res sql.Result, err error) error {
	if err != nil {
		return wrap(ctx, op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return wrap(ctx, op, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlitestore: %s: %w", op, authgate.ErrNotFound)
	}
	return nil
}
