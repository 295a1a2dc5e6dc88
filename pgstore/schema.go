package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// ErrNewerSchema means the database was made by a newer version of this
// package, whose schema this one does not know.
var ErrNewerSchema = errors.New("pgstore: the database schema is newer than this program knows")

// migrateLock is the key of the advisory lock that serialises migrations
// across every process opening the database: "authgate" in ASCII.
const migrateLock int64 = 0x61757468676174

// channel is the LISTEN/NOTIFY channel of changes to sessions and keys.
const channel = "authgate"

// migrations make the schema, one step per version: authgate_schema holds
// how many have run. Append to the list; never edit a step that has
// shipped.
//
// Times are unix milliseconds; strings are bytea. user_id columns do not
// reference authgate_users: an app may keep its users elsewhere and use the
// store only for sessions and keys.
var migrations = []string{
	// 1: the first schema.
	`
CREATE TABLE authgate_sessions (
	id              bytea   NOT NULL PRIMARY KEY CHECK (length(id) = 32),
	user_id         bytea   NOT NULL,
	user_name       bytea   NOT NULL,
	created_at      bigint  NOT NULL,
	last_seen       bigint  NOT NULL,
	idle_timeout_ms bigint  NOT NULL,
	expires_at      bigint  NOT NULL,
	revoked         boolean NOT NULL DEFAULT false,
	user_agent      bytea   NOT NULL,
	address         bytea   NOT NULL
);
CREATE INDEX authgate_sessions_by_user ON authgate_sessions (user_id, created_at);
CREATE INDEX authgate_sessions_by_expiry ON authgate_sessions (expires_at);

CREATE TABLE authgate_api_keys (
	id          bytea   NOT NULL PRIMARY KEY,
	secret_hash bytea   NOT NULL CHECK (length(secret_hash) = 32),
	name        bytea   NOT NULL,
	user_id     bytea   NOT NULL,
	created_at  bigint  NOT NULL,
	expires_at  bigint,           -- NULL: never expires
	last_used   bigint,           -- NULL: never used
	revoked     boolean NOT NULL DEFAULT false
);
CREATE INDEX authgate_api_keys_by_user ON authgate_api_keys (user_id, created_at);

CREATE TABLE authgate_users (
	id            bytea  NOT NULL PRIMARY KEY,
	login         bytea  NOT NULL UNIQUE,
	name          bytea  NOT NULL,
	password_hash bytea  NOT NULL,
	created_at    bigint NOT NULL
);

-- Every change to a session or key row tells the instances that cache it:
-- 's' or 'k' and the id in hex, or 'k*' (drop every key) for an id too
-- long for a notification's payload.
CREATE FUNCTION authgate_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'authgate_sessions' THEN
		PERFORM pg_notify('authgate', 's' || encode(OLD.id, 'hex'));
	ELSIF length(OLD.id) <= 3000 THEN
		PERFORM pg_notify('authgate', 'k' || encode(OLD.id, 'hex'));
	ELSE
		PERFORM pg_notify('authgate', 'k*');
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER authgate_sessions_changed AFTER UPDATE OR DELETE ON authgate_sessions
	FOR EACH ROW EXECUTE FUNCTION authgate_notify();
CREATE TRIGGER authgate_api_keys_changed AFTER UPDATE OR DELETE ON authgate_api_keys
	FOR EACH ROW EXECUTE FUNCTION authgate_notify();
`,
	// 2: links from identity providers' accounts to users.
	`
CREATE TABLE authgate_identities (
	issuer  bytea NOT NULL,
	subject bytea NOT NULL,
	user_id bytea NOT NULL,
	PRIMARY KEY (issuer, subject)
);
`,
	// 3: a user's links are listed, and deleted with the user.
	`
CREATE INDEX authgate_identities_by_user ON authgate_identities (user_id, issuer, subject);
`,
}

// migrate brings the schema up to date in one transaction that holds an
// advisory lock, so that instances opening a new database at once wait for
// the first to make it instead of failing on each other's tables.
func (s *Store) migrate(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.Timeout+migrateTimeout)
	defer cancel()
	const op = "create or upgrade the schema"
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return wrap(ctx, op, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
		return wrap(ctx, op, err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS authgate_schema (version integer NOT NULL)`); err != nil {
		return wrap(ctx, op, err)
	}
	var v int
	switch err := tx.QueryRow(ctx, `SELECT version FROM authgate_schema`).Scan(&v); {
	case errors.Is(err, pgx.ErrNoRows):
		if _, err := tx.Exec(ctx, `INSERT INTO authgate_schema (version) VALUES (0)`); err != nil {
			return wrap(ctx, op, err)
		}
	case err != nil:
		return wrap(ctx, op, err)
	}
	if v > len(migrations) {
		return fmt.Errorf("%w: version %d, this program knows up to %d", ErrNewerSchema, v, len(migrations))
	}
	if v == len(migrations) {
		return nil // rolled back: nothing was written
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.Exec(ctx, migrations[i]); err != nil {
			return wrap(ctx, fmt.Sprintf("%s: step %d", op, i+1), err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE authgate_schema SET version = $1`, len(migrations)); err != nil {
		return wrap(ctx, op, err)
	}
	return wrap(ctx, op, tx.Commit(ctx))
}
