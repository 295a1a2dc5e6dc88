package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authgate/authgate"
)

// CreateKey stores a new key, or returns an error wrapping
// authgate.ErrDuplicate if its id is taken.
func (s *Store) CreateKey(ctx context.Context, k authgate.APIKey) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if _, ok := s.keys[k.ID]; ok {
		return fmt.Errorf("memstore: API key %q: %w", k.ID, authgate.ErrDuplicate)
	}
	s.keys[k.ID] = k
	return nil
}

// Key returns the key with the given id, or authgate.ErrNotFound.
func (s *Store) Key(ctx context.Context, id string) (authgate.APIKey, error) {
	return lookup(ctx, &s.keyMu, s.keys, id)
}

// TouchKey moves the key's LastUsed forward to used.
func (s *Store) TouchKey(ctx context.Context, id string, used time.Time) error {
	return update(ctx, &s.keyMu, s.keys, id, func(k *authgate.APIKey) {
		if used.After(k.LastUsed) {
			k.LastUsed = used
		}
	})
}

// RevokeKey marks the key revoked.
func (s *Store) RevokeKey(ctx context.Context, id string) error {
	return update(ctx, &s.keyMu, s.keys, id, func(k *authgate.APIKey) { k.Revoked = true })
}

// RevokeUserKeys revokes the user's keys that are not yet revoked and
// returns how many.
func (s *Store) RevokeUserKeys(ctx context.Context, userID string) (int, error) {
	if err := stopped(ctx); err != nil {
		return 0, err
	}
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	n := 0
	for id, k := range s.keys {
		if k.UserID == userID && !k.Revoked {
			k.Revoked = true
			s.keys[id] = k
			n++
		}
	}
	return n, nil
}

// UserKeys lists the user's keys, revoked ones included, newest first.
func (s *Store) UserKeys(ctx context.Context, userID string) ([]authgate.APIKey, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	var out []authgate.APIKey
	s.keyMu.RLock()
	for _, k := range s.keys {
		if k.UserID == userID {
			out = append(out, k)
		}
	}
	s.keyMu.RUnlock()
	slices.SortFunc(out, func(a, b authgate.APIKey) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}
