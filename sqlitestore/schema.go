package sqlitestore

import (
	"context"
	"fmt"
)

// migrations make the schema, one step per version: the database's
// user_version is how many have run. Append to the list; never edit a step
// that has shipped.
//
// Times are unix milliseconds. Sessions are keyed by the 32-byte SHA-256 of
// their token. sessions.user_id and api_keys.user_id do not reference
// users(id): an app may keep its users elsewhere and use the store only for
// sessions and keys.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE sessions (
	id              BLOB    NOT NULL PRIMARY KEY CHECK (length(id) = 32),
	user_id         TEXT    NOT NULL,
	user_name       TEXT    NOT NULL,
	created_at      INTEGER NOT NULL,
	last_seen       INTEGER NOT NULL,
	idle_timeout_ms INTEGER NOT NULL,
	expires_at      INTEGER NOT NULL,
	revoked         INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
	user_agent      TEXT    NOT NULL,
	address         TEXT    NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX sessions_by_user ON sessions (user_id, created_at);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_keys (
	id          TEXT    NOT NULL PRIMARY KEY,
	secret_hash BLOB    NOT NULL CHECK (length(secret_hash) = 32),
	name        TEXT    NOT NULL,
	user_id     TEXT    NOT NULL,
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER,          -- NULL: never expires
	last_used   INTEGER,          -- NULL: never used
	revoked     INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
) STRICT;
CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);

CREATE TABLE users (
	id            TEXT    NOT NULL PRIMARY KEY,
	login         TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	created_at    INTEGER NOT NULL
) STRICT;
`,
	// 2: links from identity providers' accounts to users.
	`
CREATE TABLE identities (
	issuer  TEXT NOT NULL,
	subject TEXT NOT NULL,
	user_id TEXT NOT NULL,
	PRIMARY KEY (issuer, subject)
) STRICT, WITHOUT ROWID;
`,
	// 3: a user's links are listed, and go with the user, in the same
	// statement's transaction.
	`
CREATE INDEX identities_by_user ON identities (user_id, issuer, subject);
CREATE TRIGGER users_deleted_unlink AFTER DELETE ON users BEGIN
	DELETE FROM identities WHERE user_id = OLD.id;
END;
`,
}

// migrate puts the database in WAL mode and brings the schema up to date,
// in one transaction that holds the
// write lock, so that two processes opening a new file at once do not both
// make it.
func (s *Store) migrate(ctx context.Context) error {
	op := "migrate " + s.path
	var v int
	if err := s.w.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return wrap(ctx, op, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: %s has schema version %d, this program knows up to %d", ErrNewerSchema, s.path, v, len(migrations))
	}
	// WAL mode sticks to the file; this sets it on new files, after the
	// version check so that a failed open changes nothing.
	var mode string
	if err := s.w.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
		return wrap(ctx, op+": set WAL mode", err)
	}
	if mode != "wal" {
		return fmt.Errorf("sqlitestore: %s: journal mode is %q, not WAL", op, mode)
	}
	if v == len(migrations) {
		return nil // the common case: no write lock needed
	}
	tx, err := s.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE, see dsn
	if err != nil {
		return wrap(ctx, op, err)
	}
	defer tx.Rollback()
	// Another process may have migrated since the first look.
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return wrap(ctx, op, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: %s has schema version %d, this program knows up to %d", ErrNewerSchema, s.path, v, len(migrations))
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return wrap(ctx, fmt.Sprintf("%s: step %d", op, i+1), err)
		}
	}
	// PRAGMA takes no parameters; the value is a constant of this program.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return wrap(ctx, op, err)
	}
	if err := tx.Commit(); err != nil {
		return wrap(ctx, op, err)
	}
	return nil
}
