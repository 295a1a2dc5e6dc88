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

// nullMS stores a time that may be zero: zero is NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMS(t), Valid: true}
}

func fromNullMS(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return fromMS(n.Int64)
}

const keyColumns = `id, secret_hash, name, user_id, created_at, expires_at, last_used, revoked`

const selectKey = `SELECT ` + keyColumns + ` FROM api_keys WHERE id = ?`

func scanKey(row scanner) (authgate.APIKey, error) {
	var (
		k             authgate.APIKey
		secret        []byte
		created       int64
		expires, used sql.NullInt64
		revoked       int64
	)
	if err := row.Scan(&k.ID, &secret, &k.Name, &k.UserID, &created, &expires, &used, &revoked); err != nil {
		return k, err
	}
	if len(secret) != len(k.SecretHash) {
		return k, fmt.Errorf("secret hash of %d bytes", len(secret))
	}
	copy(k.SecretHash[:], secret)
	k.CreatedAt = fromMS(created)
	k.ExpiresAt = fromNullMS(expires)
	k.LastUsed = fromNullMS(used)
	k.Revoked = revoked != 0
	return k, nil
}

// CreateKey stores a new key, or returns an error wrapping
// authgate.ErrDuplicate if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO api_keys (`+keyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.SecretHash[:], k.Name, k.UserID, toMS(k.CreatedAt), nullMS(k.ExpiresAt), nullMS(k.LastUsed), boolInt(k.Revoked))
	if err != nil {
		return wrap(ctx, "create API key", err)
	}
	s.keys.Put(k.ID, storekit.NormalKey(k))
	return nil
}

// Key returns the key with the given id, or an error wrapping
// authgate.ErrNotFound. A key read recently comes from memory.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	return readThrough(ctx, s, s.keys, id, (*Store).loadKey)
}

// loadKey reads a key from the database.
func (s *Store) loadKey(ctx context.Context, id string) (authgate.APIKey, error) {
	k, err := scanKey(s.getKey.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return authgate.APIKey{}, authgate.ErrNotFound
	}
	if err != nil {
		return authgate.APIKey{}, wrap(ctx, "read API key", err)
	}
	return k, nil
}

// TouchKey moves the key's LastUsed forward to used.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	ms := toMS(used)
	return s.updateOne(ctx, "touch API key", false,
		func() { s.keys.Update(id, func(k *authgate.APIKey) { k.LastUsed = later(k.LastUsed, fromMS(ms)) }) },
		`UPDATE api_keys SET last_used = max(coalesce(last_used, ?1), ?1) WHERE id = ?2`, ms, id)
}

// RevokeKey marks the key revoked, durably.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	return s.updateOne(ctx, "revoke API key", true, func() { s.keys.Update(id, func(k *authgate.APIKey) { k.Revoked = true }) },
		`UPDATE api_keys SET revoked = 1 WHERE id = ?`, id)
}

// RevokeUserKeys revokes, durably, the user's keys that are not yet
// revoked, and returns how many.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	return s.updateAll(ctx, "revoke user API keys", s.keys.Clear,
		`UPDATE api_keys SET revoked = 1 WHERE user_id = ? AND revoked = 0`, userID)
}

// UserKeys lists the user's keys, revoked ones included, newest first.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	return queryAll(ctx, s, "list user API keys", scanKey, `SELECT `+keyColumns+` FROM api_keys
		WHERE user_id = ? ORDER BY created_at DESC, id`, userID)
}
