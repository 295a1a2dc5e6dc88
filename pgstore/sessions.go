package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

const sessionColumns = `id, user_id, user_name, created_at, last_seen, idle_timeout_ms, expires_at, revoked, user_agent, address`

// scanSession reads a row of sessionColumns.
func scanSession(row pgx.Row) (authgate.Session, error) {
	var (
		x                            authgate.Session
		id, user, name, agent, addr  []byte
		created, seen, idle, expires int64
	)
	if err := row.Scan(&id, &user, &name, &created, &seen, &idle, &expires, &x.Revoked, &agent, &addr); err != nil {
		return x, err
	}
	if len(id) != len(x.ID) {
		return x, fmt.Errorf("session id of %d bytes", len(id))
	}
	copy(x.ID[:], id)
	x.UserID, x.UserName, x.UserAgent, x.Address = string(user), string(name), string(agent), string(addr)
	x.CreatedAt, x.LastSeen, x.Expires = fromMS(created), fromMS(seen), fromMS(expires)
	x.IdleTimeout = time.Duration(idle) * time.Millisecond
	return x, nil
}

// CreateSession stores a new session; authgate.ErrDuplicate if the id is
// taken.
func (s *Store) CreateSession(ctx context.Context, x authgate.Session) error {
	_, err := s.exec(ctx, "create session", `INSERT INTO authgate_sessions (`+sessionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID[:], []byte(x.UserID), []byte(x.UserName), toMS(x.CreatedAt), toMS(x.LastSeen),
		x.IdleTimeout.Milliseconds(), toMS(x.Expires), x.Revoked, []byte(x.UserAgent), []byte(x.Address))
	if err != nil {
		return err
	}
	s.sessions.Put(x.ID, storekit.NormalSession(x))
	return nil
}

// Session returns the session with the given id, or an error wrapping
// authgate.ErrNotFound. A session read recently comes from memory.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	return readThrough(ctx, s, s.sessions, id, (*Store).loadSession)
}

func (s *Store) loadSession(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	return queryOne(ctx, s, "read session", scanSession,
		`SELECT `+sessionColumns+` FROM authgate_sessions WHERE id = $1`, id[:])
}

// TouchSession moves the session's LastSeen forward to seen. A seen no
// later than the stored one writes nothing.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	ms := toMS(seen)
	err := s.advance(ctx, "touch session", `WITH moved AS (
		UPDATE authgate_sessions SET last_seen = $2 WHERE id = $1 AND last_seen < $2 RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM moved) OR EXISTS (SELECT 1 FROM authgate_sessions WHERE id = $1)`,
		id[:], ms)
	if err == nil {
		s.sessions.Update(id, func(x *authgate.Session) { x.LastSeen = later(x.LastSeen, fromMS(ms)) })
	}
	return err
}

// RevokeSession marks the session revoked.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	err := s.execOne(ctx, "revoke session", `UPDATE authgate_sessions SET revoked = true WHERE id = $1`, id[:])
	if err == nil {
		s.sessions.Update(id, func(x *authgate.Session) { x.Revoked = true })
	}
	return err
}

// RevokeUserSessions revokes the user's sessions that are neither revoked
// nor past their absolute deadline, and returns how many.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	ids, err := queryAll(ctx, s, "revoke user sessions", func(r pgx.Row) (authgate.Hash, error) {
		var id authgate.Hash
		var b []byte
		if err := r.Scan(&b); err != nil || len(b) != len(id) {
			return id, fmt.Errorf("session id of %d bytes: %w", len(b), err)
		}
		copy(id[:], b)
		return id, nil
	}, `UPDATE authgate_sessions SET revoked = true
		WHERE user_id = $1 AND NOT revoked AND expires_at > $2 RETURNING id`,
		[]byte(userID), toMS(s.opts.Now()))
	for _, id := range ids {
		s.sessions.Update(id, func(x *authgate.Session) { x.Revoked = true })
	}
	return len(ids), err
}

// UserSessions lists the user's sessions that are neither revoked nor past
// their absolute deadline, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	return queryAll(ctx, s, "list user sessions", scanSession, `SELECT `+sessionColumns+` FROM authgate_sessions
		WHERE user_id = $1 AND NOT revoked AND expires_at > $2 ORDER BY created_at DESC, id`,
		[]byte(userID), toMS(s.opts.Now()))
}
