package sqlitestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/authgate/authgate"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Errors that say what went wrong with the database file. The errors the
// store returns wrap one of them, the driver's error and, for records,
// authgate.ErrNotFound or authgate.ErrDuplicate; test with errors.Is.
var (
	// ErrCannotOpen means the database file could not be opened or
	// created: its directory is missing or not writable, or the path
	// names a directory.
	ErrCannotOpen = errors.New("sqlitestore: cannot open or create the database file")
	// ErrNotDatabase means the file exists but is not an SQLite database.
	ErrNotDatabase = errors.New("sqlitestore: the file is not an SQLite database")
	// ErrLocked means another connection, usually another process, held
	// the database's write lock for longer than the busy timeout.
	ErrLocked = errors.New("sqlitestore: the database stayed locked by another writer beyond the busy timeout")
	// ErrReadOnly means the database file or its directory is read-only.
	ErrReadOnly = errors.New("sqlitestore: the database is read-only")
	// ErrCorrupt means SQLite found the database damaged.
	ErrCorrupt = errors.New("sqlitestore: the database is corrupt")
	// ErrFull means the disk is full.
	ErrFull = errors.New("sqlitestore: the disk is full")
	// ErrNewerSchema means the database was made by a newer version of
	// this package, whose schema this one does not know.
	ErrNewerSchema = errors.New("sqlitestore: the database schema is newer than this program knows")
)

// wrap turns err from operation op into an error that wraps the matching
// sentinel. A cancelled or expired ctx wins over what the driver made of it.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("sqlitestore: %s: %w (%w)", op, cerr, err)
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("sqlitestore: %s: %w", op, err)
	}
	var sentinel error
	switch code := se.Code(); code & 0xff {
	case sqlite3.SQLITE_CONSTRAINT:
		if code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY || code == sqlite3.SQLITE_CONSTRAINT_UNIQUE {
			sentinel = authgate.ErrDuplicate
		}
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		sentinel = ErrLocked
	case sqlite3.SQLITE_CANTOPEN:
		sentinel = ErrCannotOpen
	case sqlite3.SQLITE_NOTADB:
		sentinel = ErrNotDatabase
	case sqlite3.SQLITE_READONLY:
		sentinel = ErrReadOnly
	case sqlite3.SQLITE_CORRUPT:
		sentinel = ErrCorrupt
	case sqlite3.SQLITE_FULL:
		sentinel = ErrFull
	}
	if sentinel == nil {
		return fmt.Errorf("sqlitestore: %s: %w", op, err)
	}
	return fmt.Errorf("%w: %s: %w", sentinel, op, err)
}
