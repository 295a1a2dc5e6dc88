// Package pgstore keeps authgate's sessions, API keys and users in
// PostgreSQL, through github.com/jackc/pgx/v5, so that several instances of
// an app share them in the database the app already runs.
//
// # Schema
//
// Open creates its tables (authgate_sessions, authgate_api_keys,
// authgate_users and authgate_schema, which holds the schema's version) on
// first use and upgrades an older schema, under a transaction-scoped
// advisory lock, so that instances starting at once do not race. Strings
// are kept as bytea, so that any Go string round-trips and logins sort
// byte-wise whatever the database's collation; times are unix milliseconds.
//
// # Reads
//
// The gate reads a session on every request, so the store keeps recently
// read sessions and API keys in memory (up to Options.CacheSessions and
// Options.CacheKeys). A trigger sends a NOTIFY on channel "authgate" when a
// session or key row changes or goes, from any instance or any other
// client of the database, and every store LISTENing drops its copy: a
// revocation on one instance is refused by the others within milliseconds.
// A record not found is never cached.
//
// The LISTEN connection is checked every Options.CheckEvery. While it is
// down, or has not been heard from for three times that, the cache is
// emptied and unused: reads go to the database, and fail (the gate answers
// 503) while PostgreSQL is unreachable, rather than be answered from memory
// that can no longer learn of revocations. The store reconnects by itself.
//
// # Writes
//
// A touch that does not move LastSeen (or LastUsed) forward writes
// nothing, so the gate's touch slots make one write per touch interval for
// a busy session however many instances serve it. Sessions more than a day
// past their absolute deadline are deleted about once an hour.
//
// # Connecting
//
// Open takes a connection string as pgx does (a postgres:// URL or
// key=value pairs). The password is best left out of it: pgx reads
// PGPASSWORD, and the password file PGPASSFILE names (~/.pgpass by
// default), as libpq does, along with PGHOST, PGUSER and the rest.
package pgstore
