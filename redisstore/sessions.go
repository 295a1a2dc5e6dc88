package redisstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/rueidis"

	"github.com/authgate/authgate"
)

// CreateSession stores a new session whose record expires in Redis at
// s.Expires. It returns authgate.ErrDuplicate if the id is taken.
//
// The session joins its user's index before its record is written, so that
// RevokeUserSessions never misses a session that exists.
func (s *Store) CreateSession(ctx context.Context, sess authgate.Session) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	now := time.Now()
	score, expireAt := "+inf", ""
	if !sess.Expires.IsZero() {
		ms := unixMillisCeil(sess.Expires)
		score, expireAt = strconv.FormatInt(ms, 10), strconv.FormatInt(ms, 10)
	}
	member := sess.ID.String()
	err := s.scripts.index.Exec(ctx, s.client,
		[]string{s.keys.userSessions(sess.UserID)},
		[]string{score, member, strconv.FormatInt(now.UnixMilli(), 10)}).Error()
	if err != nil {
		return wrap("indexing a session", err)
	}
	key := s.keys.session(sess.ID)
	args := append([]string{expireAt}, sessionFields(sess)...)
	n, err := s.scripts.create.Exec(ctx, s.client, []string{key}, args).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("creating a session", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: session: %w", authgate.ErrDuplicate)
	}
	return nil
}

// Session returns the session with the given id, or authgate.ErrNotFound.
// It is served from the client-side cache when it can be.
func (s *Store) Session(ctx context.Context, id authgate.Hash) (authgate.Session, error) {
	if ctx.Err() != nil {
		return authgate.Session{}, stopped(ctx)
	}
	d, found, err := newDecoder(s.readCached(ctx, s.keys.session(id), s.schema.session), len(s.schema.session))
	if err != nil {
		return authgate.Session{}, wrap("reading a session", err)
	}
	if !found {
		return authgate.Session{}, fmt.Errorf("redisstore: session: %w", authgate.ErrNotFound)
	}
	sess, err := decodeSession(id, d)
	if err != nil {
		return authgate.Session{}, wrap("reading a session", err)
	}
	return sess, nil
}

// TouchSession moves the session's LastSeen forward to seen.
func (s *Store) TouchSession(ctx context.Context, id authgate.Hash, seen time.Time) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	key := s.keys.session(id)
	n, err := s.scripts.advance.Exec(ctx, s.client, []string{key}, []string{fSeen, fmtTime(seen)}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("touching a session", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: session: %w", authgate.ErrNotFound)
	}
	return nil
}

// RevokeSession marks the session revoked. Every instance's cached copy is
// invalidated by Redis.
func (s *Store) RevokeSession(ctx context.Context, id authgate.Hash) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	key := s.keys.session(id)
	n, err := s.scripts.revoke.Exec(ctx, s.client, []string{key}, []string{"", fmtTime(time.Now())}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("revoking a session", err)
	}
	if n < 0 {
		return fmt.Errorf("redisstore: session: %w", authgate.ErrNotFound)
	}
	return nil
}

// RevokeUserSessions revokes every live session of a user, one command per
// session (they live in different cluster slots), and returns how many it
// revoked.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) (int, error) {
	if ctx.Err() != nil {
		return 0, stopped(ctx)
	}
	ids, err := s.sessionIDs(ctx, userID)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	now := fmtTime(time.Now())
	execs := make([]rueidis.LuaExec, len(ids))
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.session(id)
		execs[i] = rueidis.LuaExec{Keys: []string{keys[i]}, Args: []string{userID, now}}
	}
	results := s.scripts.revoke.ExecMulti(ctx, s.client, execs...)
	s.wrote(keys...)
	revoked := 0
	for _, r := range results {
		n, err := r.AsInt64()
		if err != nil {
			return revoked, wrap("revoking a user's sessions", err)
		}
		if n == 1 {
			revoked++
		}
	}
	return revoked, nil
}

// UserSessions lists a user's sessions that are neither revoked nor past
// their absolute deadline, newest first.
func (s *Store) UserSessions(ctx context.Context, userID string) ([]authgate.Session, error) {
	if ctx.Err() != nil {
		return nil, stopped(ctx)
	}
	ids, err := s.sessionIDs(ctx, userID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.session(id)
	}
	now := time.Now()
	var out []authgate.Session
	for i, r := range s.readMany(ctx, keys, s.schema.session) {
		d, found, err := newDecoder(r, len(s.schema.session))
		if err != nil {
			return nil, wrap("listing a user's sessions", err)
		}
		if !found {
			continue // expired, or not written yet
		}
		sess, err := decodeSession(ids[i], d)
		if err != nil {
			return nil, wrap("listing a user's sessions", err)
		}
		if sess.UserID != userID || sess.Revoked || (!sess.Expires.IsZero() && !now.Before(sess.Expires)) {
			continue
		}
		out = append(out, sess)
	}
	slices.SortFunc(out, func(a, b authgate.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID.String(), b.ID.String())
	})
	return out, nil
}

// sessionIDs reads the ids in a user's index whose deadline has not passed.
func (s *Store) sessionIDs(ctx context.Context, userID string) ([]authgate.Hash, error) {
	now := strconv.FormatInt(time.Now().UnixMilli(), 10)
	cmd := s.client.B().Zrange().Key(s.keys.userSessions(userID)).Min(now).Max("+inf").Byscore().Build()
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
