package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// SQLiteNotes keeps notes in the demo_notes table of a SQLite file, usually
// the same file that holds the gate's sessions. Make one with
// OpenSQLiteNotes and Close it when done.
type SQLiteNotes struct {
	db *sql.DB
}

var _ Notes = (*SQLiteNotes)(nil)

// BusyTimeout is how long a statement waits for another connection or
// process that holds the database's write lock.
const BusyTimeout = 5 * time.Second

const notesSchema = `
CREATE TABLE IF NOT EXISTS demo_notes (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id    TEXT    NOT NULL,
	text       TEXT    NOT NULL,
	created_at INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX IF NOT EXISTS demo_notes_user ON demo_notes (user_id, id);
`

// OpenSQLiteNotes opens (or creates) the SQLite file at path in WAL mode,
// creates the demo_notes table if it is missing and returns the store.
func OpenSQLiteNotes(ctx context.Context, path string) (*SQLiteNotes, error) {
	if path == "" {
		return nil, errors.New("demo: the notes database path is empty")
	}
	db, err := sql.Open("sqlite", sqliteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("demo: opening the notes database: %w", err)
	}
	if _, err := db.ExecContext(ctx, notesSchema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("demo: creating the notes table: %w", err)
	}
	return &SQLiteNotes{db: db}, nil
}

// sqliteDSN is the driver's name for path: a file: URI, so that no
// character of the path is read as a query, with the pragmas every
// connection of the pool runs.
func sqliteDSN(path string) string {
	q := url.Values{"_pragma": {
		fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()),
		"journal_mode(WAL)",
		"synchronous(NORMAL)",
	}}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Add stores a note for a user.
func (s *SQLiteNotes) Add(ctx context.Context, userID, text string, at time.Time) (Note, error) {
	ms := at.UnixMilli()
	res, err := s.db.ExecContext(ctx,
		`INSERT INTO demo_notes (user_id, text, created_at) VALUES (?, ?, ?)`,
		userID, text, ms)
	if err != nil {
		return Note{}, fmt.Errorf("demo: adding a note: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return Note{}, fmt.Errorf("demo: adding a note: %w", err)
	}
	return Note{ID: id, Text: text, CreatedAt: time.UnixMilli(ms)}, nil
}

// List returns at most limit of a user's notes, newest first.
func (s *SQLiteNotes) List(ctx context.Context, userID string, limit int) ([]Note, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT id, text, created_at FROM demo_notes WHERE user_id = ? ORDER BY id DESC LIMIT ?`,
		userID, limit)
	if err != nil {
		return nil, fmt.Errorf("demo: listing notes: %w", err)
	}
	defer rows.Close()
	out := []Note{}
	for rows.Next() {
		var n Note
		var ms int64
		if err := rows.Scan(&n.ID, &n.Text, &ms); err != nil {
			return nil, fmt.Errorf("demo: reading a note: %w", err)
		}
		n.CreatedAt = time.UnixMilli(ms)
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo: listing notes: %w", err)
	}
	return out, nil
}

// Close closes the database.
func (s *SQLiteNotes) Close() error { return s.db.Close() }
