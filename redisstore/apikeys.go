package redisstore

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/authgate/authgate"
)

// CreateKey stores a new API key; authgate.ErrDuplicate if the id is taken.
// A key with an expiry is deleted from Redis KeyRetention after it.
//
// The key joins its owner's index before its record is written, so that
// RevokeUserKeys never misses a key that exists.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	index := s.client.Do(ctx, s.client.B().Sadd().Key(s.keys.userKeys(k.UserID)).Member(k.ID).Build())
	var deleteAt time.Time
	if !k.ExpiresAt.IsZero() {
		deleteAt = k.ExpiresAt.Add(s.retention)
	}
	return s.create(ctx, keyKind, index, s.keys.apiKey(k.ID), deleteAt, keyFields(k))
}

// Key returns the API key with the given id, or authgate.ErrNotFound. It is
// served from the client-side cache when it can be.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	if err := stopped(ctx); err != nil {
		return authgate.APIKey{}, err
	}
	d, found, err := newDecoder(s.readCached(ctx, s.keys.apiKey(id), s.schema.key), len(s.schema.key))
	if err != nil {
		return authgate.APIKey{}, wrap("reading an API key", err)
	}
	if !found {
		return authgate.APIKey{}, keyKind.notFound()
	}
	k, err := decodeKey(d)
	if err != nil {
		return authgate.APIKey{}, wrap("reading an API key", err)
	}
	return k, nil
}

// TouchKey moves the key's LastUsed forward to used.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	return s.advance(ctx, keyKind, s.keys.apiKey(id), used)
}

// RevokeKey marks the key revoked. Every instance's cached copy is
// invalidated by Redis.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	return s.revoke(ctx, keyKind, s.keys.apiKey(id))
}

// RevokeUserKeys revokes every key of a user that is not revoked yet,
// expired or not, one command per key, and returns how many it revoked.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	keys, err := s.keyKeys(ctx, userID)
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	return s.revokeAll(ctx, keyKind, keys, userID, "")
}

// UserKeys lists a user's keys, revoked ones included, newest first.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	keys, err := s.keyKeys(ctx, userID)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	out, err := readAll(ctx, s, keyKind, keys, s.schema.key, func(_ int, d decoder) (authgate.APIKey, bool, error) {
		k, err := decodeKey(d)
		return k, k.UserID == userID, err
	})
	slices.SortFunc(out, func(a, b authgate.APIKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, err
}

// keyKeys returns the Redis keys of the records in a user's key index.
func (s *Store) keyKeys(ctx context.Context, userID string) ([]string, error) {
	ids, err := s.client.Do(ctx, s.client.B().Smembers().Key(s.keys.userKeys(userID)).Build()).AsStrSlice()
	if err != nil {
		return nil, wrap("reading a user's API keys", err)
	}
	for i, id := range ids {
		ids[i] = s.keys.apiKey(id)
	}
	return ids, nil
}
