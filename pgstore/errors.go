package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// migrateTimeout is how long Open waits, besides Options.Timeout, for
// another instance's migration to finish.
const migrateTimeout = 30 * time.Second

// uniqueViolation is PostgreSQL's SQLSTATE for a duplicate key.
const uniqueViolation = "23505"

// stopped fails a call whose context is done, the way every store does.
func stopped(ctx context.Context) error { return storekit.Stopped(ctx, "pgstore") }

// wrap adds the store's name and what it was doing to err. A duplicate key
// wraps authgate.ErrDuplicate; a cancelled or expired ctx wins over what
// the driver made of it.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("pgstore: %s: %w (%w)", op, cerr, err)
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == uniqueViolation {
		return fmt.Errorf("pgstore: %s: %w: %w", op, authgate.ErrDuplicate, err)
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// call returns the context for one call to the database: ctx, bounded by
// Options.Timeout.
func (s *Store) call(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.opts.Timeout)
}
