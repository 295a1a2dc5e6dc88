package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authgate/authgate"
	"github.com/authgate/authgate/internal/storekit"
)

const keyColumns = `id, secret_hash, name, user_id, created_at, expires_at, last_used, revoked`

func scanKey(row pgx.Row) (authgate.APIKey, error) {
	var (
		k                      authgate.APIKey
		id, secret, name, user []byte
		created                int64
		expires, used          *int64
	)
	if err := row.Scan(&id, &secret, &name, &user, &created, &expires, &used, &k.Revoked); err != nil {
		return k, err
	}
	if len(secret) != len(k.SecretHash) {
		return k, fmt.Errorf("secret hash of %d bytes", len(secret))
	}
	copy(k.SecretHash[:], secret)
	k.ID, k.Name, k.UserID = string(id), string(name), string(user)
	k.CreatedAt = fromMS(created)
	k.ExpiresAt = fromNullMS(expires)
	k.LastUsed = fromNullMS(used)
	return k, nil
}

// CreateKey stores a new key; authgate.ErrDuplicate if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	_, err := s.exec(ctx, "create API key", `INSERT INTO authgate_api_keys (`+keyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		[]byte(k.ID), k.SecretHash[:], []byte(k.Name), []byte(k.UserID), toMS(k.CreatedAt),
		nullMS(k.ExpiresAt), nullMS(k.LastUsed), k.Revoked)
	if err != nil {
		return err
	}
	s.keys.Put(k.ID, storekit.NormalKey(k))
	return nil
}

// Key returns the key with the given id, or an error wrapping
// authgate.ErrNotFound. A key read recently comes from memory.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	return readThrough(ctx, s, s.keys, id, (*Store).loadKey)
}

func (s *Store) loadKey(ctx context.Context, id string) (authgate.APIKey, error) {
	return queryOne(ctx, s, "read API key", scanKey,
		`SELECT `+keyColumns+` FROM authgate_api_keys WHERE id = $1`, []byte(id))
}

// TouchKey moves the key's LastUsed forward to used. A time no later than
// the stored one writes nothing.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	ms := toMS(used)
	err := s.advance(ctx, "touch API key", `WITH moved AS (
		UPDATE authgate_api_keys SET last_used = $2
		WHERE id = $1 AND (last_used IS NULL OR last_used < $2) RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM moved) OR EXISTS (SELECT 1 FROM authgate_api_keys WHERE id = $1)`,
		[]byte(id), ms)
	if err == nil {
		s.keys.Update(id, func(k *authgate.APIKey) { k.LastUsed = later(k.LastUsed, fromMS(ms)) })
	}
	return err
}

// RevokeKey marks the key revoked.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	err := s.execOne(ctx, "revoke API key", `UPDATE authgate_api_keys SET revoked = true WHERE id = $1`, []byte(id))
	if err == nil {
		s.keys.Update(id, func(k *authgate.APIKey) { k.Revoked = true })
	}
	return err
}

// RevokeUserKeys revokes the user's keys that are not yet revoked, and
// returns how many.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	ids, err := queryAll(ctx, s, "revoke user API keys", func(r pgx.Row) (string, error) {
		var b []byte
		err := r.Scan(&b)
		return string(b), err
	}, `UPDATE authgate_api_keys SET revoked = true WHERE user_id = $1 AND NOT revoked RETURNING id`, []byte(userID))
	for _, id := range ids {
		s.keys.Update(id, func(k *authgate.APIKey) { k.Revoked = true })
	}
	return len(ids), err
}

// UserKeys lists the user's keys, revoked ones included, newest first.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	return queryAll(ctx, s, "list user API keys", scanKey, `SELECT `+keyColumns+` FROM authgate_api_keys
		WHERE user_id = $1 ORDER BY created_at DESC, id`, []byte(userID))
}
