package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

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
	links := s.userLinks[userID]
	if links == nil {
		links = make(map[identity]struct{})
		s.userLinks[userID] = links
	}
	links[k] = struct{}{}
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

// UserIdentities lists the accounts linked to userID, by issuer and then
// subject: at most [authgate.MaxUserIdentities].
func (s *Store) UserIdentities(ctx context.Context, userID string) ([]authgate.LinkedIdentity, error) {
	if err := stopped(ctx); err != nil {
		return nil, err
	}
	s.idMu.RLock()
	out := make([]authgate.LinkedIdentity, 0, len(s.userLinks[userID]))
	for k := range s.userLinks[userID] {
		out = append(out, authgate.LinkedIdentity{Issuer: k.issuer, Subject: k.subject})
	}
	s.idMu.RUnlock()
	slices.SortFunc(out, func(a, b authgate.LinkedIdentity) int {
		return cmp.Or(cmp.Compare(a.Issuer, b.Issuer), cmp.Compare(a.Subject, b.Subject))
	})
	if len(out) > authgate.MaxUserIdentities {
		out = out[:authgate.MaxUserIdentities]
	}
	return out, nil
}

// UnlinkIdentity removes the link of issuer and subject to userID, or
// returns [authgate.ErrNotFound].
func (s *Store) UnlinkIdentity(ctx context.Context, issuer, subject, userID string) error {
	if err := stopped(ctx); err != nil {
		return err
	}
	s.idMu.Lock()
	defer s.idMu.Unlock()
	k := identity{issuer, subject}
	id, ok := s.identities[k]
	if !ok || id != userID {
		return authgate.ErrNotFound
	}
	delete(s.identities, k)
	delete(s.userLinks[id], k)
	if len(s.userLinks[id]) == 0 {
		delete(s.userLinks, id)
	}
	return nil
}
