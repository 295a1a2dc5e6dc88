package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// toMS and fromMS are the store's time form, shared with the other stores.
func toMS(t time.Time) int64    { return storekit.ToMS(t) }
func fromMS(ms int64) time.Time { return storekit.FromMS(ms) }

const sessionColumns = `id, user_id, user_name, created_at, last_seen, idle_timeout_ms, expires_at, revoked, user_agent, address`

const selectSession = `SELECT ` + sessionColumns + ` FROM sessions WHERE id = ?`

// scanSession reads a row of sessionColumns.
func scanSession(row scanner) (authgate.Session, error) {
	var (
		x                               authgate.Session
		id                              []byte
		created, seen, idle, expires, r int64
	)
	if err := row.Scan(&id, &x.UserID, &x.UserName, &created, &seen, &idle, &expires, &r, &x.UserAgent, &x.Address); err != nil {
		return x, err
	}
	if len(id) != len(x.ID) {
		return x, fmt.Errorf("session id of %d bytes", len(id))
	}
	copy(x.ID[:], id)
	x.CreatedAt, x.LastSeen, x.Expires = fromMS(created), fromMS(seen), fromMS(expires)
	x.IdleTimeout = time.Duration(idle) * time.Millisecond
	x.Revoked = r != 0
	return x, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateSession stores a new session.
func (s *Store) CreateSession(ctx context.Context, x authgate.Session) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		x.ID[:], x.UserID, x.UserName, toMS(x.CreatedAt), toMS(x.LastSeen), x.IdleTimeout.Milliseconds(),
		toMS(x.Expires), boolInt(x.Revoked), x.UserAgent, x.Address)
	if err != nil {
		return wrap(ctx, "create session", err)
	}
	s.sessions.Put(x.ID, storekit.NormalSession(x))
	return nil
}

// Session returns the session with the given id, or an error wrapping
// authgate.ErrNotFound. A session read recently comes from memory.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	return readThrough(ctx, s, s.sessions, id, (*Store).loadSession)
}

// loadSession reads a session from the database.
func (s *Store) loadSession(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	x, err := scanSession(s.getSession.QueryRowContext(ctx, id[:]))
	if errors.Is(err, sql.ErrNoRows) {
		return authgate.Session{}, authgate.ErrNotFound
	}
	if err != nil {
		return authgate.Session{}, wrap(ctx, "read session", err)
	}
	return x, nil
}

// TouchSession moves the session's LastSeen forward to seen.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	ms := toMS(seen)
	return s.updateOne(ctx, "touch session", false,
		func() {
			s.sessions.Update(id, func(x *authgate.Session) { x.LastSeen = later(x.LastSeen, fromMS(ms)) })
		},
		`UPDATE sessions SET last_seen = max(last_seen, ?) WHERE id = ?`, ms, id[:])
}

// RevokeSession marks the session revoked, durably.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	return s.updateOne(ctx, "revoke session", true, func() { s.sessions.Update(id, func(x *authgate.Session) { x.Revoked = true }) },
		`UPDATE sessions SET revoked = 1 WHERE id = ?`, id[:])
}

// RevokeUserSessions revokes, durably, the user's sessions that are neither
// revoked nor past their absolute deadline, and returns how many.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	return s.updateAll(ctx, "revoke user sessions", s.sessions.Clear,
		`UPDATE sessions SET revoked = 1 WHERE user_id = ? AND revoked = 0 AND expires_at > ?`, userID, toMS(s.cfg.now()))
}

// UserSessions lists the user's sessions that are neither revoked nor past
// their absolute deadline, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	return queryAll(ctx, s, "list user sessions", scanSession, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = ? AND revoked = 0 AND expires_at > ? ORDER BY created_at DESC, id`,
		userID, toMS(s.cfg.now()))
}
