package memstore

import (
	"bytes"
	"context"
	"slices"
	"time"
	"unique"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

// minPurge is the fewest sessions made between two purges of expired ones.
const minPurge = 1024

// session is the stored form of an authgate.Session, its id aside: times
// are unix milliseconds, and strings are interned (unique.Handle, 8 bytes),
// so that the sessions of one user, or from one browser, share one copy of
// each string. That keeps a session at 72 bytes plus its share of the
// strings, against 200 for the time.Time and string form.
type session struct {
	userID    unique.Handle[string]
	userName  unique.Handle[string]
	userAgent unique.Handle[string]
	address   unique.Handle[string]
	created   int64 // unix ms
	lastSeen  int64 // unix ms
	expires   int64 // unix ms
	idle      int64 // ms
	revoked   bool
}

// toMS and fromMS are the store's time form, shared with the other stores.
func toMS(t time.Time) int64    { return storekit.ToMS(t) }
func fromMS(ms int64) time.Time { return storekit.FromMS(ms) }

func pack(s *authgate.Session) session {
	return session{
		userID:    unique.Make(s.UserID),
		userName:  unique.Make(s.UserName),
		userAgent: unique.Make(s.UserAgent),
		address:   unique.Make(s.Address),
		created:   toMS(s.CreatedAt),
		lastSeen:  toMS(s.LastSeen),
		expires:   toMS(s.Expires),
		idle:      s.IdleTimeout.Milliseconds(),
		revoked:   s.Revoked,
	}
}

func (r *session) unpack(id authgate.Hash) authgate.Session {
	return authgate.Session{
		ID:          id,
		UserID:      r.userID.Value(),
		UserName:    r.userName.Value(),
		CreatedAt:   fromMS(r.created),
		LastSeen:    fromMS(r.lastSeen),
		IdleTimeout: time.Duration(r.idle) * time.Millisecond,
		Expires:     fromMS(r.expires),
		Revoked:     r.revoked,
		UserAgent:   r.userAgent.Value(),
		Address:     r.address.Value(),
	}
}

// CreateSession stores a new session, replacing any with the same id. Now
// and then it first drops the sessions past their absolute deadline.
func (s *Store) CreateSession(ctx context.Context, x authgate.Session) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	r := pack(&x)
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	s.creates++
	if s.creates >= s.purgeAt {
		s.purgeLocked(s.now())
	}
	s.sessions[x.ID] = r
	return nil
}

// purgeLocked drops the sessions past their absolute deadline. It runs
// after a number of creates proportional to the number of sessions, so its
// cost per create stays constant.
func (s *Store) purgeLocked(now time.Time) {
	cut := toMS(now)
	for id, r := range s.sessions {
		if r.expires <= cut {
			delete(s.sessions, id)
		}
	}
	s.creates = 0
	s.purgeAt = max(minPurge, len(s.sessions)/2)
}

// Session returns the session with the given id, or authgate.ErrNotFound.
// It does not allocate.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	r, err := lookup(ctx, &s.sessMu, s.sessions, id)
	if err != nil {
		return authgate.Session{}, err
	}
	return r.unpack(id), nil
}

// TouchSession moves the session's LastSeen forward to seen.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	ms := toMS(seen)
	return update(ctx, &s.sessMu, s.sessions, id, func(r *session) { r.lastSeen = max(r.lastSeen, ms) })
}

// RevokeSession marks the session revoked.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	return update(ctx, &s.sessMu, s.sessions, id, func(r *session) { r.revoked = true })
}

// RevokeUserSessions revokes the user's sessions that are neither revoked
// nor past their absolute deadline, and returns how many. It scans every
// session.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	now := toMS(s.now())
	user := unique.Make(userID)
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	n := 0
	for id, r := range s.sessions {
		if r.userID == user && !r.revoked && r.expires > now {
			r.revoked = true
			s.sessions[id] = r
			n++
		}
	}
	return n, nil
}

// UserSessions lists the user's sessions that are neither revoked nor past
// their absolute deadline, newest first. It scans every session.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	now := toMS(s.now())
	user := unique.Make(userID)
	var out []authgate.Session
	s.sessMu.RLock()
	for id, r := range s.sessions {
		if r.userID == user && !r.revoked && r.expires > now {
			out = append(out, r.unpack(id))
		}
	}
	s.sessMu.RUnlock()
	slices.SortFunc(out, func(a, b authgate.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}
