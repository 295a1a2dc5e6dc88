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

// CreateKey stores a new API key; authgate.ErrDuplicate if the id is taken.
// A key with an expiry is deleted from Redis KeyRetention after it.
//
// The key joins its owner's index before its record is written, so that
// RevokeUserKeys never misses a key that exists.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	err := s.client.Do(ctx, s.client.B().Sadd().Key(s.keys.userKeys(k.UserID)).Member(k.ID).Build()).Error()
	if err != nil {
		return wrap("indexing an API key", err)
	}
	expireAt := ""
	if !k.ExpiresAt.IsZero() {
		expireAt = strconv.FormatInt(unixMillisCeil(k.ExpiresAt.Add(s.retention)), 10)
	}
	key := s.keys.apiKey(k.ID)
	args := append([]string{expireAt}, keyFields(k)...)
	n, err := s.scripts.create.Exec(ctx, s.client, []string{key}, args).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("creating an API key", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: API key: %w", authgate.ErrDuplicate)
	}
	return nil
}

// Key returns the API key with the given id, or authgate.ErrNotFound. It is
// served from the client-side cache when it can be.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	if ctx.Err() != nil {
		return authgate.APIKey{}, stopped(ctx)
	}
	d, found, err := newDecoder(s.readCached(ctx, s.keys.apiKey(id), s.schema.key), len(s.schema.key))
	if err != nil {
		return authgate.APIKey{}, wrap("reading an API key", err)
	}
	if !found {
		return authgate.APIKey{}, fmt.Errorf("redisstore: API key: %w", authgate.ErrNotFound)
	}
	k, err := decodeKey(d)
	if err != nil {
		return authgate.APIKey{}, wrap("reading an API key", err)
	}
	return k, nil
}

// TouchKey moves the key's LastUsed forward to used.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	key := s.keys.apiKey(id)
	n, err := s.scripts.advance.Exec(ctx, s.client, []string{key}, []string{fSeen, fmtTime(used)}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("touching an API key", err)
	}
	if n == 0 {
		return fmt.Errorf("redisstore: API key: %w", authgate.ErrNotFound)
	}
	return nil
}

// RevokeKey marks the key revoked. Every instance's cached copy is
// invalidated by Redis.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	if ctx.Err() != nil {
		return stopped(ctx)
	}
	key := s.keys.apiKey(id)
	n, err := s.scripts.revoke.Exec(ctx, s.client, []string{key}, []string{"", ""}).AsInt64()
	s.wrote(key)
	if err != nil {
		return wrap("revoking an API key", err)
	}
	if n < 0 {
		return fmt.Errorf("redisstore: API key: %w", authgate.ErrNotFound)
	}
	return nil
}

// RevokeUserKeys revokes every key of a user that is not revoked yet,
// expired or not, one command per key, and returns how many it revoked.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if ctx.Err() != nil {
		return 0, stopped(ctx)
	}
	ids, err := s.keyIDs(ctx, userID)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	execs := make([]rueidis.LuaExec, len(ids))
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.apiKey(id)
		execs[i] = rueidis.LuaExec{Keys: []string{keys[i]}, Args: []string{userID, ""}}
	}
	results := s.scripts.revoke.ExecMulti(ctx, s.client, execs...)
	s.wrote(keys...)
	revoked := 0
	for _, r := range results {
		n, err := r.AsInt64()
		if err != nil {
			return revoked, wrap("revoking a user's API keys", err)
		}
		if n == 1 {
			revoked++
		}
	}
	return revoked, nil
}

// UserKeys lists a user's keys, revoked ones included, newest first.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if ctx.Err() != nil {
		return nil, stopped(ctx)
	}
	ids, err := s.keyIDs(ctx, userID)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.keys.apiKey(id)
	}
	var out []authgate.APIKey
	for _, r := range s.readMany(ctx, keys, s.schema.key) {
		d, found, err := newDecoder(r, len(s.schema.key))
		if err != nil {
			return nil, wrap("listing a user's API keys", err)
		}
		if !found {
			continue // deleted after its retention, or not written yet
		}
		k, err := decodeKey(d)
		if err != nil {
			return nil, wrap("listing a user's API keys", err)
		}
		if k.UserID != userID {
			continue
		}
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b authgate.APIKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// keyIDs reads the ids in a user's key index.
func (s *Store) keyIDs(ctx context.Context, userID string) ([]string, error) {
	ids, err := s.client.Do(ctx, s.client.B().Smembers().Key(s.keys.userKeys(userID)).Build()).AsStrSlice()
	if err != nil {
		return nil, wrap("reading a user's API keys", err)
	}
	return ids, nil
}
