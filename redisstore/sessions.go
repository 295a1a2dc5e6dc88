package redisstore

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/authgate/authgate"
)

// CreateSession stores a new session whose record expires in Redis at
// s.Expires. It returns authgate.ErrDuplicate if the id is taken.
//
// The session joins its user's index before its record is written, so that
// RevokeUserSessions never misses a session that exists.
func (s *Store) CreateSession(ctx context.Context, sess authgate.Session) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	score := "+inf"
	if !sess.Expires.IsZero() {
		score = strconv.FormatInt(unixMillisCeil(sess.Expires), 10)
	}
	index := s.scripts.index.Exec(ctx, s.client,
		[]string{s.keys.userSessions(sess.UserID)},
		[]string{score, sess.ID.String(), strconv.FormatInt(s.now().UnixMilli(), 10)})
	return s.create(ctx, sessionKind, index, s.keys.session(sess.ID), sess.Expires, sessionFields(sess))
}

// Session returns the session with the given id, or authgate.ErrNotFound.
// It is served from the client-side cache when it can be.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if err := stopped(ctx); err != nil {
		return authgate.Session{}, err
	}
	d, found, err := newDecoder(s.readCached(ctx, s.keys.session(id), s.schema.session), len(s.schema.session))
	if err != nil {
		return authgate.Session{}, wrap("reading a session", err)
	}
	if !found {
		return authgate.Session{}, sessionKind.notFound()
	}
	sess, err := decodeSession(id, d)
	if err != nil {
		return authgate.Session{}, wrap("reading a session", err)
	}
	return sess, nil
}

// TouchSession moves the session's LastSeen forward to seen.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	return s.advance(ctx, sessionKind, s.keys.session(id), seen)
}

// RevokeSession marks the session revoked. Every instance's cached copy is
// invalidated by Redis.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	return s.revoke(ctx, sessionKind, s.keys.session(id))
}

// RevokeUserSessions revokes every live session of a user, one command per
// session (they live in different cluster slots), and returns how many it
// revoked.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	now := s.now()
	ids, err := s.sessionIDs(ctx, userID, now)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	return s.revokeAll(ctx, sessionKind, s.sessionKeys(ids), userID, fmtTime(now))
}

// UserSessions lists a user's sessions that are neither revoked nor past
// their absolute deadline, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	now := s.now()
	ids, err := s.sessionIDs(ctx, userID, now)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	out, err := readAll(ctx, s, sessionKind, s.sessionKeys(ids), s.schema.session, func(i int, d decoder) (authgate.Session, bool, error) {
		sess, err := decodeSession(ids[i], d)
		live := sess.UserID == userID && !sess.Revoked && (sess.Expires.IsZero() || now.Before(sess.Expires))
		return sess, live, err
	})
	slices.SortFunc(out, func(a, b authgate.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	return out, err
}

// sessionIDs reads the ids in a user's index whose deadline is after now.
func (s *Store) sessionIDs(ctx context.Context, userID string, now time.Time) ([]authgate.Hash, error) {
	from := strconv.FormatInt(now.UnixMilli(), 10)
	cmd := s.client.B().Zrange().Key(s.keys.userSessions(userID)).Min(from).Max("+inf").Byscore().Build()
	members, err := s.client.Do(ctx, cmd).AsStrSlice()
	if err != nil {
		return nil, wrap("reading a user's sessions", err)
	}
	ids := make([]authgate.Hash, 0, len(members))
	for _, m := range members {
		id, err := authgate.ParseHash(m)
		if err != nil {
			continue // not ours; the index holds only hex ids
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// sessionKeys returns the Redis keys of the sessions with the given ids.
func (s *Store) sessionKeys(ids []authgate.Hash) []string {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.session(id)
	}
	return keys
}
