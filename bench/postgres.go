package bench

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate/internal/pgtest"
	"github.com/authgate/authgate/pgstore"
)

// ErrNoPostgres means PostgreSQL is not installed.
var ErrNoPostgres = errors.New("PostgreSQL is not installed")

// PostgresServer is a PostgreSQL server started for a benchmark in a
// temporary directory, with fsync off, reached over a Unix socket.
type PostgresServer struct {
	// URL connects to its database postgres over the Unix socket.
	URL string

	srv *pgtest.Server
}

// StartPostgres runs initdb in a new temporary directory and starts
// PostgreSQL on a free port (as an unprivileged user when run as root),
// and waits until it accepts connections. It returns ErrNoPostgres when
// PostgreSQL is not installed. Close it when done.
func StartPostgres() (*PostgresServer, error) {
	s, err := pgtest.Launch()
	if errors.Is(err, pgtest.ErrNotInstalled) {
		return nil, ErrNoPostgres
	}
	if err != nil {
		return nil, err
	}
	return &PostgresServer{URL: s.URL(), srv: s}, nil
}

// Close stops the server and removes its files.
func (s *PostgresServer) Close() error {
	s.srv.Close()
	return nil
}

// OpenPostgres opens two stores on the database at url: Serve, the one
// measured, and Signer, a second instance of the app on the same
// database.
func OpenPostgres(ctx context.Context, url string, opts pgstore.Options) (Stores, error) {
	return openTwo(func() (*pgstore.Store, error) { return pgstore.Open(ctx, url, opts) })
}

// TableBytes returns the bytes on disk of a table with its indexes and
// TOAST data: pg_total_relation_size.
func TableBytes(ctx context.Context, url, table string) (int64, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "CHECKPOINT"); err != nil {
		return 0, err
	}
	var n int64
	err = c.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", table).Scan(&n)
	return n, err
}

// Rows counts a table's rows.
func Rows(ctx context.Context, url, table string) (int64, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	var n int64
	err = c.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()).Scan(&n)
	return n, err
}
