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
// each string; a user's id and name are interned as a pair. A record is 96
// bytes, with its id and its links in the user's chain, plus its share of
// the strings and about 9 bytes of the table's hash table.
type session struct {
	user      unique.Handle[userNames]
	userAgent unique.Handle[string]
	address   unique.Handle[string]
	created   int64 // unix ms
	lastSeen  int64 // unix ms
	expires   int64 // unix ms
	idleRev   int64 // the idle timeout in ms, shifted left one bit; the low bit is Revoked
	id        authgate.Hash
	prev      uint32 // the user's previous record in the table, or none
	next      uint32 // the user's next record in the table, or none
}

// userNames is the user a session belongs to.
type userNames struct{ id, name string }

// toMS and fromMS are the store's time form, shared with the other stores.
func toMS(t time.Time) int64    { return storekit.ToMS(t) }
func fromMS(ms int64) time.Time { return storekit.FromMS(ms) }

func pack(s *authgate.Session) session {
	r := session{
		id:        s.ID,
		user:      unique.Make(userNames{s.UserID, s.UserName}),
		userAgent: unique.Make(s.UserAgent),
		address:   unique.Make(s.Address),
		created:   toMS(s.CreatedAt),
		lastSeen:  toMS(s.LastSeen),
		expires:   toMS(s.Expires),
		idleRev:   s.IdleTimeout.Milliseconds() << 1,
	}
	if s.Revoked {
		r.revoke()
	}
	return r
}

func (r *session) revoked() bool { return r.idleRev&1 != 0 }

// held reports whether the record holds a session, rather than being the
// zero value of a free one.
func (r *session) held() bool { return r.user != unique.Handle[userNames]{} }
func (r *session) revoke()    { r.idleRev |= 1 }

func (r *session) unpack() authgate.Session {
	u := r.user.Value()
	return authgate.Session{
		ID:          r.id,
		UserID:      u.id,
		UserName:    u.name,
		CreatedAt:   fromMS(r.created),
		LastSeen:    fromMS(r.lastSeen),
		IdleTimeout: time.Duration(r.idleRev>>1) * time.Millisecond,
		Expires:     fromMS(r.expires),
		Revoked:     r.revoked(),
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
	s.sessions.put(r)
	return nil
}

// purgeLocked drops the sessions past their absolute deadline. It runs
// after a number of creates proportional to the number of sessions, so its
// cost per create stays constant.
func (s *Store) purgeLocked(now time.Time) {
	cut := toMS(now)
	s.sessions.all(func(r *session) bool {
		if r.expires <= cut {
			s.sessions.remove(r.id)
		}
		return true
	})
	s.creates = 0
	s.purgeAt = max(minPurge, s.sessions.len()/2)
}

// Session returns the session with the given id, or authgate.ErrNotFound.
// It does not allocate.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if err := stopped(ctx); err != nil {
		return authgate.Session{}, err
	}
	s.sessMu.RLock()
	defer s.sessMu.RUnlock()
	r, ok := s.sessions.get(id)
	if !ok {
		return authgate.Session{}, authgate.ErrNotFound
	}
	return r.unpack(), nil
}

// TouchSession moves the session's LastSeen forward to seen.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	ms := toMS(seen)
	return s.updateSession(ctx, id, func(r *session) { r.lastSeen = max(r.lastSeen, ms) })
}

// RevokeSession marks the session revoked.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	return s.updateSession(ctx, id, (*session).revoke)
}

// updateSession changes the session with the given id with change under
// the lock, or returns authgate.ErrNotFound.
func (s *Store) updateSession(ctx context.Context, id authgate.Hash, change func(*session)) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	r, ok := s.sessions.get(id)
	if !ok {
		return authgate.ErrNotFound
	}
	change(r)
	return nil
}

// RevokeUserSessions revokes the user's sessions that are neither revoked
// nor past their absolute deadline, and returns how many.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	now := toMS(s.now())
	s.sessMu.Lock()
	defer s.sessMu.Unlock()
	n := 0
	s.sessions.user(userID, func(r *session) bool {
		if r.live(now) {
			r.revoke()
			n++
		}
		return true
	})
	return n, nil
}

// live reports whether the record is neither revoked nor past its absolute
// deadline at now (unix ms).
func (r *session) live(now int64) bool {
	return !r.revoked() && r.expires > now
}

// UserSessions lists the user's sessions that are neither revoked nor past
// their absolute deadline, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	now := toMS(s.now())
	var out []authgate.Session
	s.sessMu.RLock()
	s.sessions.user(userID, func(r *session) bool {
		if r.live(now) {
			out = append(out, r.unpack())
		}
		return true
	})
	s.sessMu.RUnlock()
	slices.SortFunc(out, func(a, b authgate.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}
