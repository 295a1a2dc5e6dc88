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
func (s *Store) CreateKey(_ context.Context, k authgate.APIKey) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if _, ok := s.keys[k.ID]; ok {
		return fmt.Errorf("memstore: API key %q: %w", k.ID, authgate.ErrDuplicate)
	}
	s.keys[k.ID] = k
	return nil
}

// Key returns the key with the given id, or authgate.ErrNotFound. It does
// not allocate.
func (s *Store) Key(_ context.Context, id string) (authgate.APIKey, error) {
	s.keyMu.RLock()
	k, ok := s.keys[id]
	s.keyMu.RUnlock()
	if !ok {
		return authgate.APIKey{}, authgate.ErrNotFound
	}
	return k, nil
}

// TouchKey moves the key's LastUsed forward to used.
func (s *Store) TouchKey(_ context.Context, id string, used time.Time) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return authgate.ErrNotFound
	}
	if used.After(k.LastUsed) {
		k.LastUsed = used
		s.keys[id] = k
	}
	return nil
}

// RevokeKey marks the key revoked.
func (s *Store) RevokeKey(_ context.Context, id string) error {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	k, ok := s.keys[id]
	if !ok {
		return authgate.ErrNotFound
	}
	k.Revoked = true
	s.keys[id] = k
	return nil
}

// RevokeUserKeys revokes the user's keys that are not yet revoked and
// returns how many.
func (s *Store) RevokeUserKeys(_ context.Context, userID string) (int, error) {
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
func (s *Store) UserKeys(_ context.Context, userID string) ([]authgate.APIKey, error) {
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
