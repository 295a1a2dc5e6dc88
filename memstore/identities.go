package memstore

import (
	"context"
	"fmt"

	"github.com/authgate/authgate"
)

// The store keeps identity providers' links: authgate.IdentityStore.
var _ authgate.IdentityStore = (*Store)(nil)

// identity is an account at an identity provider.
type identity struct{ issuer, subject string }

// LinkIdentity links issuer and subject to userID, or returns an error
// wrapping authgate.ErrDuplicate if the pair is linked already.
func (s *Store) LinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.idMu.Lock()
	defer s.idMu.Unlock()
	k := identity{issuer, subject}
	if _, ok := s.identities[k]; ok {
		return fmt.Errorf("memstore: identity %q at %q: %w", subject, issuer, authgate.ErrDuplicate)
	}
	s.identities[k] = userID
	return nil
}

// IdentityUser returns the user id linked to issuer and subject, or
// authgate.ErrNotFound.
func (s *Store) IdentityUser(ctx context.Context, issuer, subject string) (string, error) {
	if err := stopped(ctx); err != nil {
		return "", err
	}
	s.idMu.RLock()
	defer s.idMu.RUnlock()
	id, ok := s.identities[identity{issuer, subject}]
	if !ok {
		return "", authgate.ErrNotFound
	}
	return id, nil
}
